/** The seeded fault simulator: trace recorder, fault schedules, invariant checks, replayable seeds. */
export {
  type Checker,
  type FaultPlan,
  formatFailure,
  replayCommand,
  simulate,
  simulateSeeds,
  type SimResult,
  type SimulateOptions,
  type StepView
} from "./Simulation.ts"
export { Trace } from "./Trace.ts"
