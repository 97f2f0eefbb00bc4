/**
 * The seeded fault simulator (`mabeam/sim`): trace recorder, fault schedules, invariant checks,
 * replayable seeds. A protocol's step function runs on simulated nodes over one seeded network.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { formatFailure, simulate } from "mabeam/sim"
 *
 * const result = yield* simulate(myProtocolScenario(1234))   // the same seed, the same trace
 * if (!result.ok) console.log(formatFailure("my-protocol", result))
 * ```
 *
 * @since 0.1.0
 */
export {
  type Checker,
  type FaultAction,
  type FaultPlan,
  type FaultView,
  formatFailure,
  replayCommand,
  simulate,
  simulateSeeds,
  type SimResult,
  type SimulateOptions,
  type StepView
} from "./Simulation.ts"
export { Trace } from "./Trace.ts"
export { History } from "./History.ts"
export {
  checkLinearizable,
  type CheckOptions,
  type LinearizabilityResult,
  linearizabilityViolation,
  type Model,
  type Operation
} from "./Linearizability.ts"
export {
  counterModel,
  type CounterInput,
  type LockInput,
  type LockModelState,
  type LockOutput,
  leaseLockModel,
  registerModel,
  type RegisterInput
} from "./models.ts"
