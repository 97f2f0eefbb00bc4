/**
 * Cross-validation on a budget: the tournament's rungs score a configuration on the same folds as
 * the rest of the flagship, but train each fold's model on only a seeded share of its training
 * rows. The last rung trains on all of them, where the score is exactly `crossValidate`'s (the
 * score the single-agent baseline is measured with).
 *
 * @since 0.1.0
 */
import { Effect, Random } from "effect"
import { crossValidate, fit, foldsOf, irisData, irisSpace } from "../ml/index.ts"
import { type Assignment, checkAssignment, type InvalidAssignment } from "../../src/variables/index.ts"

/** The fewest training rows a low-budget rung trains on (a few per class). */
export const MIN_TRAINING_ROWS = 9

/** Options of `crossValidateOnBudget`. */
export interface BudgetedCvOptions {
  /** Share of each fold's training rows to train on, in (0, 1]; 1 is plain cross-validation. */
  readonly fraction: number
  /** Seeds the fold split, as in `crossValidate`: the same for every candidate of a run. */
  readonly foldSeed: string
  /** Number of folds (default 5). */
  readonly folds?: number
}

/**
 * Mean accuracy of `assignment` over k folds, each model trained on a seeded subset of
 * `ceil(fraction · n)` (at least `MIN_TRAINING_ROWS`) of its fold's training rows and tested on
 * the whole test fold. The subsets and forest seeds come from `Random`, so a seed replays it.
 */
export const crossValidateOnBudget = (
  assignment: Assignment,
  options: BudgetedCvOptions
): Effect.Effect<number, InvalidAssignment> =>
  Effect.gen(function* () {
    const folds = options.folds ?? 5
    if (options.fraction >= 1) return yield* crossValidate([assignment], { folds, foldSeed: options.foldSeed })
    yield* checkAssignment(irisSpace, assignment)
    const { features, labels } = irisData()
    const split = yield* foldsOf(features.length, folds).pipe(Random.withSeed(options.foldSeed))
    let correct = 0
    for (const fold of split) {
      const test = new Set(fold)
      const training = features.map((_, index) => index).filter((index) => !test.has(index))
      const size = Math.min(training.length, Math.max(MIN_TRAINING_ROWS, Math.ceil(options.fraction * training.length)))
      const chosen = (yield* Random.shuffle(training)).slice(0, size)
      const seed = yield* Random.nextIntBetween(1, 2 ** 31 - 1)
      const model = fit(
        assignment,
        chosen.map((index) => [...features[index]!]),
        chosen.map((index) => labels[index]!),
        seed
      )
      const predictions = model.predict(fold.map((index) => [...features[index]!]))
      fold.forEach((index, row) => {
        if (predictions[row] === labels[index]) correct++
      })
    }
    return correct / features.length
  })
