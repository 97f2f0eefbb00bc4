/**
 * The tagged errors of supervision.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A child with this id is already supervised.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateChild extends Schema.TaggedError<DuplicateChild>()("DuplicateChild", {
  supervisor: Schema.String,
  child: Schema.String
}) {
  override get message(): string {
    return `supervisor "${this.supervisor}" already has a child "${this.child}"`
  }
}

/**
 * No child with this id is supervised.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownChild extends Schema.TaggedError<UnknownChild>()("UnknownChild", {
  supervisor: Schema.String,
  child: Schema.String
}) {
  override get message(): string {
    return `supervisor "${this.supervisor}" has no child "${this.child}"`
  }
}

/**
 * The supervisor is shutting down or has failed; it starts nothing new.
 *
 * @since 0.1.0
 * @category errors
 */
export class SupervisorStopped extends Schema.TaggedError<SupervisorStopped>()("SupervisorStopped", {
  supervisor: Schema.String
}) {
  override get message(): string {
    return `supervisor "${this.supervisor}" is stopped`
  }
}

/**
 * More restarts happened within the window than the supervisor's intensity allows. The
 * supervisor stopped all its children and failed; its parent sees this as a child failure.
 *
 * @since 0.1.0
 * @category errors
 */
export class RestartIntensityExceeded extends Schema.TaggedError<RestartIntensityExceeded>()(
  "RestartIntensityExceeded",
  {
    supervisor: Schema.String,
    child: Schema.String,
    maxRestarts: Schema.Number,
    withinMillis: Schema.Number
  }
) {
  override get message(): string {
    return `supervisor "${this.supervisor}" gave up: more than ${this.maxRestarts} restarts within ${this.withinMillis} ms (last: child "${this.child}")`
  }
}

/**
 * A child's `init` failed while `startChild` waited for it (OTP's `{error, Reason}` from
 * `start_child`). Nothing was left behind and nothing restarts; `cause` is what `init` failed with.
 *
 * @since 0.1.0
 * @category errors
 */
export class ChildStartFailed extends Schema.TaggedError<ChildStartFailed>()("ChildStartFailed", {
  supervisor: Schema.String,
  child: Schema.String,
  cause: Schema.Defect()
}) {
  override get message(): string {
    return `supervisor "${this.supervisor}" could not start child "${this.child}": ${describeCause(this.cause)}`
  }
}

/**
 * The child exists but is running (or restarting): delete or restart needs it terminated first.
 *
 * @since 0.1.0
 * @category errors
 */
export class ChildRunning extends Schema.TaggedError<ChildRunning>()("ChildRunning", {
  supervisor: Schema.String,
  child: Schema.String
}) {
  override get message(): string {
    return `child "${this.child}" of supervisor "${this.supervisor}" is running; terminate it first`
  }
}

/**
 * A short description of an unknown failure, for messages.
 *
 * @since 0.1.0
 * @category utils
 */
export const describeCause = (cause: unknown): string =>
  cause instanceof Error
    ? `${cause.name}: ${cause.message}`
    : typeof cause === "string"
      ? cause
      : (JSON.stringify(cause) ?? String(cause))
