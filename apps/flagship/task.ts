/**
 * The tasks the flagship tunes, behind one interface so that the team and single-agent random
 * search are measured the same way on each: a search space, the budget unit every contender pays
 * in, a score for a configuration trained on a share of its full budget, and the score of an
 * ensemble of fully trained configurations.
 *
 * - `spirals` (the default): the MLP of `apps/ml` on the shipped spirals data, scored by validation
 *   accuracy. The budget unit is the training epoch: a full evaluation of a configuration costs its
 *   own `epochs`, a share of it that share of the epochs. Scores span about 50% to 92% across the
 *   space, so configuration matters.
 * - `iris`: mljs models on iris, scored by 5-fold cross-validation. Almost every configuration scores
 *   94–97%, so it is a smoke test rather than a contest. A full cross-validation costs 9 units; a
 *   share trains each fold on that share of its training rows and costs that share of 9.
 *
 * @since 0.2.0
 */
import { Effect, Random } from "effect"
import { crossValidate, irisSpace, mlpSpace, probabilities, spirals, toHyperparameters, train } from "../ml/index.ts"
import type { Assignment, InvalidAssignment, Space } from "../../src/variables/index.ts"
import { describeAssignment } from "./ensemble.ts"
import { crossValidateOnBudget } from "./fidelity.ts"
import type { TaskName } from "./mode.ts"

/** A tuning task: what is searched, what a score costs, how a configuration and an ensemble score. */
export interface TuningTask {
  readonly name: TaskName
  /** What is tuned on what, for the summary ("an MLP on the spirals data"). */
  readonly title: string
  /** The budget unit, plural ("epochs"). */
  readonly unit: string
  /** How the ensemble's members vote ("average", "majority vote"). */
  readonly vote: string
  readonly space: Space
  /** Budget units of one evaluation of `assignment` trained on `fraction` (in (0, 1]) of its full budget; at least 1. */
  readonly cost: (assignment: Assignment, fraction: number) => number
  /** The score (higher is better) of `assignment` trained on `fraction` of its full budget; reproducible under `Random.withSeed`. */
  readonly evaluate: (assignment: Assignment, fraction: number) => Effect.Effect<number, InvalidAssignment>
  /**
   * The score of an ensemble: each member trained in full under its own seed (the seed it was
   * evaluated with, so the models are the ones already paid for where the task is deterministic),
   * voting by averaged probability (spirals) or by majority (iris).
   */
  readonly ensemble: (
    members: ReadonlyArray<{ readonly assignment: Assignment; readonly seed: string }>
  ) => Effect.Effect<number, InvalidAssignment>
  /** A short description of a configuration. */
  readonly describe: (assignment: Assignment) => string
}

const epochsOf = (assignment: Assignment, fraction: number): number =>
  Math.max(1, Math.round(Number(assignment["epochs"]) * Math.min(1, fraction)))

const decimals = (value: unknown) => (typeof value === "number" ? Number(value.toPrecision(2)) : value)

/** The MLP on the shipped spirals data; the budget unit is the training epoch. */
export const spiralsTask: TuningTask = {
  name: "spirals",
  title: "an MLP on the spirals data",
  unit: "epochs",
  vote: "average",
  space: mlpSpace,
  cost: epochsOf,
  evaluate: (assignment, fraction) =>
    Effect.gen(function* () {
      const hp = yield* toHyperparameters(assignment)
      const { train: data, validation } = spirals()
      const model = yield* train(data, { ...hp, epochs: epochsOf(assignment, fraction) })
      let correct = 0
      probabilities(model, validation).forEach((p, i) => {
        if ((p > 0.5 ? 1 : 0) === validation.y[i]) correct++
      })
      return correct / validation.n
    }),
  ensemble: (members) =>
    Effect.gen(function* () {
      const { train: data, validation } = spirals()
      const sum = new Float64Array(validation.n)
      for (const member of members) {
        const hp = yield* toHyperparameters(member.assignment)
        const model = yield* train(data, hp).pipe(Random.withSeed(member.seed))
        probabilities(model, validation).forEach((p, i) => {
          sum[i]! += p
        })
      }
      let correct = 0
      sum.forEach((total, i) => {
        if ((total / members.length > 0.5 ? 1 : 0) === validation.y[i]) correct++
      })
      return correct / validation.n
    }),
  describe: (a) =>
    `mlp(${a["activation"]}, ${a["hidden"]} units, rate ${decimals(a["learningRate"])}, l2 ${decimals(a["l2"])}, ${a["epochs"]} epochs, batch ${a["batchSize"]})`
}

/** Units of one full 5-fold cross-validation on iris. */
export const IRIS_FULL_COST = 9

/** mljs models on iris; a full 5-fold cross-validation costs `IRIS_FULL_COST` units. */
export const irisTask = (foldSeed: string): TuningTask => ({
  name: "iris",
  title: "mljs models on the iris data (a 5-fold cross-validation costs 9 credits)",
  unit: "credits",
  vote: "majority vote",
  space: irisSpace,
  cost: (_, fraction) => Math.max(1, Math.round(IRIS_FULL_COST * Math.min(1, fraction))),
  evaluate: (assignment, fraction) => crossValidateOnBudget(assignment, { fraction, foldSeed }),
  ensemble: (members) =>
    crossValidate(
      members.map((member) => member.assignment),
      { foldSeed }
    ).pipe(Random.withSeed(members.map((m) => m.seed).join("+"))),
  describe: describeAssignment
})

/** The task named `name`, for a run seeded with `seed` (iris draws its folds from it). */
export const taskNamed = (name: TaskName, seed: string): TuningTask =>
  name === "iris" ? irisTask(`${seed}-folds`) : spiralsTask
