/**
 * The strategy contract: given a space and what is known so far, propose the next assignment to
 * evaluate. Strategies are plain values an agent can hold and run; they keep no state between
 * calls (everything they need is in `StrategyInput`) and take randomness only from `Random`, so
 * the same input under `Random.withSeed(seed)` gives the same proposal.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { Assignment, Goal, Observation, Space } from "../schema.ts"

/**
 * What a strategy sees: the space, the goal, the accepted observations and the open proposals.
 *
 * @since 0.1.0
 * @category models
 */
export interface StrategyInput {
  readonly space: Space
  readonly goal: Goal
  /** Accepted observations, oldest first (the orchestrator's bounded window). */
  readonly observations: ReadonlyArray<Observation>
  /** Assignments proposed but not yet scored; a strategy may avoid proposing them again. */
  readonly pending: ReadonlyArray<Assignment>
}

/**
 * A search strategy. `propose` never fails: every space that decodes can be proposed from.
 *
 * @example
 * ```ts
 * const next = yield* Tpe.make().propose({ space, goal: "maximize", observations, pending: [] })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Strategy {
  /** A short name, recorded with each proposal and used to credit the strategy that found the best. */
  readonly name: string
  readonly propose: (input: StrategyInput) => Effect.Effect<Assignment>
}
