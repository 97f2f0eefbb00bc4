/**
 * The public shapes of a supervisor: its options, events, child snapshots and the `Supervisor`
 * interface itself. `Supervisor.ts` builds them; this file only names them.
 *
 * @since 0.1.0
 */
import type { Duration, Effect, Exit, Schedule, Stream } from "effect"
import type { InvalidInput } from "../errors/index.ts"
import type { ChildSpec, RestartPolicy } from "./ChildSpec.ts"
import type {
  ChildRunning,
  ChildStartFailed,
  DuplicateChild,
  RestartIntensityExceeded,
  SupervisorStopped,
  UnknownChild
} from "./errors.ts"

/**
 * Which children restart when one fails:
 * - `"one-for-one"`: only the child that exited;
 * - `"one-for-all"`: every child (the others are stopped first, in reverse order);
 * - `"rest-for-one"`: the child and every child started after it.
 *
 * Temporary siblings caught in a group restart are stopped and not started again.
 *
 * @since 0.1.0
 * @category models
 */
export type Strategy = "one-for-one" | "one-for-all" | "rest-for-one"

/**
 * How a supervisor behaves. Every field has a default.
 *
 * @since 0.1.0
 * @category models
 */
export interface SupervisorOptions {
  /** Shown in events and errors. Defaults to `"supervisor"`. */
  readonly name?: string
  /** Defaults to `"one-for-one"`. */
  readonly strategy?: Strategy
  /** At most `maxRestarts` restarts within `within`; defaults to 3 within 5 seconds. */
  readonly intensity?: { readonly maxRestarts: number; readonly within: Duration.Input }
  /** Delay before each restart of a child, per child. When it ends, the supervisor gives up. */
  readonly backoff?: Schedule.Schedule<unknown, unknown>
  /**
   * A dynamic supervisor (OTP's `DynamicSupervisor` / `simple_one_for_one`) forgets a child as
   * soon as it ends for good. A static one (the default) keeps the spec of a permanent or transient
   * child that ended, stopped, until `deleteChild` (temporary children are always forgotten).
   */
  readonly dynamic?: boolean
}

/**
 * What a supervisor reports about its children.
 *
 * @since 0.1.0
 * @category models
 */
export type SupervisorEvent =
  | { readonly _tag: "ChildStarted"; readonly supervisor: string; readonly child: string; readonly incarnation: number }
  | {
      readonly _tag: "ChildExited"
      readonly supervisor: string
      readonly child: string
      readonly exit: Exit.Exit<void, unknown>
      readonly restarting: boolean
    }
  /** The supervisor gave up: published when decided, before its children are stopped. */
  | { readonly _tag: "SupervisorFailed"; readonly supervisor: string; readonly error: RestartIntensityExceeded }

/**
 * Where a child is in its life (OTP's `which_children` shows the pid, `restarting` or `undefined`).
 *
 * @since 0.1.0
 * @category models
 */
export type ChildStatus = "running" | "restarting" | "stopped"

/**
 * A snapshot of one child.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChildInfo {
  readonly id: string
  /** True while its status is `"running"`. */
  readonly running: boolean
  readonly restarts: number
  readonly status: ChildStatus
  readonly type: "worker" | "supervisor"
  readonly restart: RestartPolicy
}

/**
 * How many children, by kind and state (OTP's `count_children`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ChildCount {
  readonly specs: number
  readonly active: number
  readonly workers: number
  readonly supervisors: number
}

/**
 * A running supervisor.
 *
 * @since 0.1.0
 * @category models
 */
export interface Supervisor {
  readonly name: string
  /**
   * Starts a child and supervises it from then on. Returns once the child's `init` (if any)
   * succeeded; a failing `init` is `ChildStartFailed`, and nothing is left or restarted.
   */
  readonly startChild: <E>(
    spec: ChildSpec<E>
  ) => Effect.Effect<void, DuplicateChild | SupervisorStopped | ChildStartFailed | InvalidInput>
  /** Stops a child gracefully (its `stop`, then its shutdown timeout, then interruption) and forgets it. */
  readonly stopChild: (id: string) => Effect.Effect<void, UnknownChild>
  /** Stops a child like `stopChild` but keeps its spec (status `"stopped"`) for `restartChild`. */
  readonly terminateChild: (id: string) => Effect.Effect<void, UnknownChild>
  /** Forgets a stopped child's spec; `ChildRunning` if it runs. */
  readonly deleteChild: (id: string) => Effect.Effect<void, UnknownChild | ChildRunning>
  /**
   * Starts a stopped child again from its kept spec; `ChildRunning` if it runs, `SupervisorStopped`
   * once the supervisor is shutting down or giving up.
   */
  readonly restartChild: (
    id: string
  ) => Effect.Effect<void, UnknownChild | ChildRunning | ChildStartFailed | SupervisorStopped>
  /** The children in start order. */
  readonly children: Effect.Effect<ReadonlyArray<ChildInfo>>
  /** Counts of the children. */
  readonly count: Effect.Effect<ChildCount>
  /** Completes when the supervisor stops: succeeds on shutdown, fails when it gave up. */
  readonly await: Effect.Effect<void, RestartIntensityExceeded>
  /** Lifecycle events from the moment of subscription (bounded; the oldest are dropped when a reader lags). */
  readonly events: Stream.Stream<SupervisorEvent>
}
