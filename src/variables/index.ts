/**
 * Universal variables (`mabeam/variables`): typed variable spaces, search strategies, and the
 * orchestrator where agents propose assignments, report scores and read the best. See
 * `schema.ts` for spaces, `space.ts` for the pure helpers, `strategies/` for random, grid and TPE
 * search, `policies/` for who may update a study, and `Orchestrator.ts` for the service.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Orchestrator, RandomSearch, SingleOwner } from "mabeam/variables"
 *
 * const program = Effect.gen(function*() {
 *   const orchestrator = yield* Orchestrator
 *   const space = { lr: { _tag: "continuous", min: 0.001, max: 1 } } as const
 *   yield* orchestrator.define("tuning", { space, goal: "maximize", policy: SingleOwner.make("coordinator") })
 *   const proposal = yield* orchestrator.propose("tuning", RandomSearch, "agent-1")
 *   return yield* orchestrator.best("tuning")
 * }).pipe(Effect.provide(Orchestrator.layer))
 * ```
 *
 * @since 0.1.0
 */
export {
  Assignment,
  Categorical,
  Category,
  Continuous,
  Goal,
  Integer,
  Observation,
  Proposal,
  Report,
  Space,
  Variable
} from "./schema.ts"
export {
  assignmentKey,
  checkAssignment,
  fromUnit,
  fromUnitPoint,
  gridAxes,
  gridPoint,
  gridSize,
  makeSpace,
  names,
  sample,
  sampleUnsafe,
  toUnit
} from "./space.ts"
export { InvalidAssignment, NotAuthorized, StudyExists, UnknownStudy } from "./VariablesError.ts"
export {
  make as makeOrchestrator,
  type ObserveResult,
  Orchestrator,
  type OrchestratorOptions,
  type OrchestratorShape,
  type StrategyStats,
  type StudyOptions,
  type StudySummary
} from "./Orchestrator.ts"
export type { Strategy, StrategyInput } from "./strategies/Strategy.ts"
export { RandomSearch } from "./strategies/RandomSearch.ts"
/** Grid search: `GridSearch.make({ levels })`. */
export * as GridSearch from "./strategies/GridSearch.ts"
/** Tree-structured Parzen Estimator: `Tpe.make(options)`. */
export * as Tpe from "./strategies/Tpe.ts"
export { bestScore, search, type SearchOptions } from "./strategies/search.ts"
export type { Ballot, PolicyRun, UpdatePolicy, Verdict } from "./policies/UpdatePolicy.ts"
/** Only one named agent may report: `SingleOwner.make("coordinator")`. */
export * as SingleOwner from "./policies/SingleOwner.ts"
/** A score counts once a majority of replicas agree: `MajorityVote.make({ replicas: 3 })`. */
export * as MajorityVote from "./policies/MajorityVote.ts"
/** A score counts once the group agreed on it through Raft: `yield* Consensus.make`. */
export * as Consensus from "./policies/Consensus.ts"
