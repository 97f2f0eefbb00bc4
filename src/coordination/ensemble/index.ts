/** Ensembles: ask several members at once, combine by majority vote, weighted mean or median. */
export {
  type Answer,
  average,
  collect,
  type Collected,
  EnsembleOptions,
  EnsembleShort,
  majorityOf,
  median,
  medianOf,
  type Member,
  vote,
  weightedMean
} from "./Ensemble.ts"
