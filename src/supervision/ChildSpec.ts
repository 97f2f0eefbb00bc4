/**
 * Child specifications: what a supervisor starts, when it restarts it, and how it stops it.
 *
 * @since 0.1.0
 */
import type { Duration, Effect, Exit, Scope } from "effect"

/**
 * When a child that exited is started again:
 * - `"permanent"`: always (the default);
 * - `"transient"`: only after a failure or defect, not after a normal return or interruption;
 * - `"temporary"`: never.
 */
export type RestartPolicy = "permanent" | "transient" | "temporary"

/** A child of a supervisor. */
export interface ChildSpec<E = unknown> {
  /** Unique among the supervisor's children. */
  readonly id: string
  /**
   * The child's body. It runs in a scope of its own, closed when the body exits, so resources
   * acquired there (registry entries, holds, subscriptions) die with each incarnation.
   */
  readonly start: Effect.Effect<void, E, Scope.Scope>
  /** Defaults to `"permanent"`. */
  readonly restart?: RestartPolicy
  /** How long a graceful stop may take before the child is interrupted. Defaults to 5 seconds. */
  readonly shutdown?: Duration.Input
  /**
   * Asks the running child to stop gracefully (e.g. an agent closes its mailbox and drains it).
   * Without it, stopping a child interrupts it at once.
   */
  readonly stop?: Effect.Effect<void>
  /** Called once when the child leaves the supervisor for good (it will not be restarted). */
  readonly onTerminated?: (exit: Exit.Exit<void, unknown>) => void
  /** Called before each restart of the child. */
  readonly onRestart?: () => void
}
