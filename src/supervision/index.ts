/** Supervision: child specs, strategies, restart intensity, escalation, ordered shutdown. */
export type { ChildSpec, RestartPolicy, Shutdown } from "./ChildSpec.ts"
export {
  ChildRunning,
  ChildStartFailed,
  DuplicateChild,
  RestartIntensityExceeded,
  SupervisorStopped,
  UnknownChild
} from "./errors.ts"
export * as Supervisor from "./Supervisor.ts"
export { type Deadline, Deadlines } from "./Deadlines.ts"
