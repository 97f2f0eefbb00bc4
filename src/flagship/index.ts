/** The flagship scenario: a team of agents tuning a real model, with auctions, budgets and chaos. */
export { Coordinator, Flush, makeStrategist, makeWorker, Propose, Report, STUDY, Train } from "./agents.ts"
export { bidFor, EXPLORATION_BID } from "./bidding.ts"
export { formatReport } from "./format.ts"
export { baselineSearch, chooseEnsemble, describeAssignment } from "./ensemble.ts"
export { type RoundProgress, runTuning, type TuningOptions, type TuningReport } from "./tuning.ts"
