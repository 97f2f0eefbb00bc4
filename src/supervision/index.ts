/**
 * Supervision (`mabeam/supervision`): child specs, one-for-one / one-for-all / rest-for-one
 * strategies, restart intensity, escalation and ordered shutdown.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { AgentSystem } from "mabeam/agent"
 * import { Supervisor } from "mabeam/supervision"
 *
 * const program = Effect.gen(function*() {
 *   const team = yield* Supervisor.make({ name: "team", strategy: "one-for-one", intensity: { maxRestarts: 3, within: "5 seconds" } })
 *   const worker = yield* (yield* AgentSystem).spawn(Worker, { supervisor: team })
 *   const children = yield* team.children   // [{ id, type, status, restart, restarts }]
 * })
 * ```
 *
 * @since 0.1.0
 */
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
