/**
 * The end of a tuning run: the final ensemble, chosen by vote among the best configurations, and
 * the single-agent baseline the team is measured against.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { crossValidate, irisSpace } from "../ml/index.ts"
import { type Assignment, type Observation, RandomSearch } from "../../src/variables/index.ts"

/**
 * The `size` best distinct configurations of the history, best first (ties: earlier first).
 * Distinct means a different effective model: hyperparameters a family does not read are ignored.
 */
export const chooseEnsemble = (
  history: ReadonlyArray<Observation>,
  size: number
): Effect.Effect<ReadonlyArray<Observation>> =>
  Effect.sync(() => {
    const seen = new Set<string>()
    const ranked = history
      .map((observation, index) => ({ observation, index }))
      .sort((x, y) => y.observation.score - x.observation.score || x.index - y.index)
    const members: Array<Observation> = []
    for (const { observation } of ranked) {
      const key = describeAssignment(observation.assignment)
      if (seen.has(key)) continue
      seen.add(key)
      members.push(observation)
      if (members.length === size) break
    }
    return members
  })

/**
 * Random search by one agent alone: `evaluations` draws, each cross-validated on the same folds
 * as the team's trials; the best accuracy.
 */
export const baselineSearch = (evaluations: number, foldSeed: string) =>
  Effect.gen(function* () {
    let best = 0
    for (let i = 0; i < evaluations; i++) {
      const assignment = yield* RandomSearch.propose({
        space: irisSpace,
        goal: "maximize",
        observations: [],
        pending: []
      })
      best = Math.max(best, yield* crossValidate([assignment], { foldSeed }))
    }
    return { evaluations, accuracy: best }
  })

/** A short description of a configuration: its model family and the hyperparameters it reads. */
export const describeAssignment = (assignment: Assignment): string => {
  const value = (name: string) => {
    const v = assignment[name]
    return typeof v === "number" ? Number(v.toPrecision(3)) : v
  }
  switch (assignment["model"]) {
    case "knn":
      return `knn(k=${value("k")})`
    case "random-forest":
      return `forest(trees=${value("trees")}, features=${value("maxFeatures")}, depth=${value("maxDepth")})`
    default:
      return `logistic(rate=${value("learningRate")}, steps=${value("steps")})`
  }
}
