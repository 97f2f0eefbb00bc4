/**
 * A real model on a real (shipped, synthetic) dataset for the hyperparameter-tuning flagship:
 * the two-spirals dataset, a small MLP trained in plain TypeScript, and the tuning space and
 * objective. See `dataset.ts` for the data's provenance, `mlp.ts` for the model.
 *
 * @since 0.1.0
 */
export { type Dataset, fromCsv, generateSpirals, slice, spiralFeatures, type SpiralsOptions, toCsv } from "./dataset.ts"
export {
  mlpSpace,
  objective,
  type TrainingResult,
  toHyperparameters,
  trainAndEvaluate
} from "./hyperparameters.ts"
export {
  type Activation,
  evaluate,
  type Evaluation,
  type Hyperparameters,
  type Model,
  probabilities,
  train,
  type TrainOptions
} from "./mlp.ts"
export { type Split, spirals, spiralsCsvText, spiralsPath, spiralsSeed } from "./spirals.ts"
export {
  type Classifier,
  type CrossValidationOptions,
  crossValidate,
  fit,
  foldsOf,
  irisData,
  irisSpace,
  type ModelFamily
} from "./iris.ts"
