/**
 * Child specifications: what a supervisor starts, when it restarts it, and how it stops it.
 *
 * @since 0.1.0
 */
import type { Duration, Effect, Exit, Scope } from "effect"

/**
 * When a child that exited is started again (OTP's restart types):
 * - `"permanent"`: always (the default);
 * - `"transient"`: after any abnormal exit (a failure, a defect, or an interruption from outside
 *   the supervisor), not after it returned normally;
 * - `"temporary"`: never, whatever the strategy.
 *
 * @since 0.1.0
 * @category models
 */
export type RestartPolicy = "permanent" | "transient" | "temporary"

/**
 * How long a graceful stop may take before the child is interrupted: a duration, `"infinity"`
 * (wait for as long as it takes: the default for supervisors) or `"brutal-kill"` (interrupt at once).
 *
 * @since 0.1.0
 * @category models
 */
export type Shutdown = Duration.Input | "infinity" | "brutal-kill"

/**
 * A child of a supervisor.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChildSpec<E = unknown> {
  /** Unique among the supervisor's children. */
  readonly id: string
  /**
   * Runs before `start`, in the same scope and fiber (OTP's `init` before `proc_lib:init_ack`):
   * `startChild` returns only once it succeeded, and fails with `ChildStartFailed` (carrying the
   * cause) when it fails, leaving nothing behind and restarting nothing. On a restart, a failing
   * `init` is a crash like any other.
   */
  readonly init?: Effect.Effect<void, E, Scope.Scope>
  /**
   * The child's body. It runs in a scope of its own, closed when the body exits, so resources
   * acquired there (registry entries, holds, subscriptions) die with each incarnation.
   */
  readonly start: Effect.Effect<void, E, Scope.Scope>
  /** Defaults to `"permanent"`. */
  readonly restart?: RestartPolicy
  /** Defaults to 5 seconds for workers and `"infinity"` for supervisors. */
  readonly shutdown?: Shutdown
  /** `"supervisor"` for a nested supervisor (its default shutdown is `"infinity"`); defaults to `"worker"`. */
  readonly type?: "worker" | "supervisor"
  /**
   * Asks the running child to stop gracefully (e.g. an agent closes its mailbox and drains it).
   * Without it, stopping a child interrupts it at once.
   */
  readonly stop?: Effect.Effect<void>
  /** Called once when the child leaves the supervisor for good (it will not be restarted). */
  readonly onTerminated?: (exit: Exit.Exit<void, unknown>) => void
  /** Called before each restart of the child, with the exit that caused it. */
  readonly onRestart?: (exit: Exit.Exit<void, unknown>) => void
}
