/**
 * Single-agent random search on a budget: the contender the team is measured against. It draws
 * configurations (seeded) and evaluates each in full until the budget is spent; the last one
 * gets what is left (a share of its full training), so it spends exactly the budget.
 *
 * @since 0.2.0
 */
import { Effect, Random } from "effect"
import { type Assignment, type InvalidAssignment, sample } from "../../src/variables/index.ts"
import type { TuningTask } from "./task.ts"

/** What random search found with its budget. */
export interface RandomSearchResult {
  readonly evaluations: number
  /** Budget units spent (the whole budget). */
  readonly spent: number
  readonly best: number
  readonly config: Assignment | undefined
}

/**
 * Random search with `budget` units of `task`'s unit: draws from `Random.withSeed(seed)`, each
 * evaluation under `Random.withSeed("<seed>-<i>")`, so the same seed replays it.
 */
export const randomSearch = (
  task: TuningTask,
  budget: number,
  seed: string
): Effect.Effect<RandomSearchResult, InvalidAssignment> =>
  Effect.gen(function* () {
    let spent = 0
    let evaluations = 0
    let best = 0
    let config: Assignment | undefined
    while (spent < budget) {
      const assignment = yield* sample(task.space).pipe(Random.withSeed(`${seed}-draw-${evaluations}`))
      const full = task.cost(assignment, 1)
      const fraction = full <= budget - spent ? 1 : (budget - spent) / full
      const score = yield* task.evaluate(assignment, fraction).pipe(Random.withSeed(`${seed}-${evaluations}`))
      spent += task.cost(assignment, fraction)
      evaluations++
      if (score > best || config === undefined) {
        best = score
        config = assignment
      }
    }
    return { evaluations, spent, best, config }
  })
