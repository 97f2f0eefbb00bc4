/** Supervision: child specs, strategies, restart intensity, escalation, ordered shutdown. */
export type { ChildSpec, RestartPolicy } from "./ChildSpec.ts"
export { DuplicateChild, RestartIntensityExceeded, SupervisorStopped, UnknownChild } from "./errors.ts"
export * as Supervisor from "./Supervisor.ts"
export { type Deadline, Deadlines } from "./Deadlines.ts"
