/**
 * A local search loop: one strategy, one objective, no orchestrator. Use it to compare strategies
 * on a benchmark function, or inside a single agent that owns its whole search.
 *
 * @since 0.1.0
 */
import { Clock, Effect } from "effect"
import type { Assignment, Goal, Observation, Space } from "../schema.ts"
import type { Strategy } from "./Strategy.ts"

/**
 * What `search` needs: the space, the goal, how many evaluations, and the objective.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchOptions<E, R> {
  readonly space: Space
  readonly goal: Goal
  readonly budget: number
  readonly objective: (assignment: Assignment) => Effect.Effect<number, E, R>
}

/**
 * Runs `budget` propose-evaluate steps of `strategy` and returns every observation, in order.
 * Fails as soon as the objective fails.
 *
 * @example
 * ```ts
 * const trace = yield* search(Tpe.make(), { space, goal: "minimize", budget: 40, objective })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const search = <E, R>(strategy: Strategy, options: SearchOptions<E, R>) =>
  Effect.gen(function* () {
    const observations: Array<Observation> = []
    for (let i = 0; i < options.budget; i++) {
      const assignment = yield* strategy.propose({
        space: options.space,
        goal: options.goal,
        observations,
        pending: []
      })
      const score = yield* options.objective(assignment)
      const at = yield* Clock.currentTimeMillis
      observations.push({ assignment, score, strategy: strategy.name, reporters: ["local"], at })
    }
    return observations as ReadonlyArray<Observation>
  })

/**
 * The best score of a trace for `goal`, or `undefined` for an empty trace.
 *
 * @since 0.1.0
 * @category utils
 */
export const bestScore = (observations: ReadonlyArray<Observation>, goal: Goal): number | undefined =>
  observations.length === 0
    ? undefined
    : observations.reduce(
        (best, o) => (goal === "maximize" ? Math.max(best, o.score) : Math.min(best, o.score)),
        goal === "maximize" ? -Infinity : Infinity
      )
