/**
 * The tagged errors of the registry. Bad input is reported as `InvalidInput` (src/errors).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * `register` found the key already held in that namespace; nothing changed.
 *
 * @since 0.1.0
 * @category errors
 */
export class AlreadyRegistered extends Schema.TaggedError<AlreadyRegistered>()("AlreadyRegistered", {
  namespace: Schema.String,
  key: Schema.String
}) {
  override get message(): string {
    return `key "${this.key}" is already registered in namespace "${this.namespace}"`
  }
}

/**
 * `update` found no entry under the key in that namespace; nothing changed.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotRegistered extends Schema.TaggedError<NotRegistered>()("NotRegistered", {
  namespace: Schema.String,
  key: Schema.String
}) {
  override get message(): string {
    return `key "${this.key}" is not registered in namespace "${this.namespace}"`
  }
}

/**
 * The backend could not be reached or failed (a SQL error, a corrupt row, a lost cluster
 * connection). The SQL backend runs each write in one transaction, so a failed write changed nothing.
 *
 * @since 0.1.0
 * @category errors
 */
export class BackendUnavailable extends Schema.TaggedError<BackendUnavailable>()("BackendUnavailable", {
  backend: Schema.String,
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `registry backend "${this.backend}" is unavailable during ${this.operation}: ${this.reason}`
  }
}

/**
 * A `changes` subscriber fell more than its buffer behind; its stream fails with this so it knows
 * it missed events (re-read the state with `select` and subscribe again).
 *
 * @since 0.1.0
 * @category errors
 */
export class ChangesLagged extends Schema.TaggedError<ChangesLagged>()("ChangesLagged", {
  namespace: Schema.String,
  capacity: Schema.Number
}) {
  override get message(): string {
    return `a change subscriber of namespace "${this.namespace}" fell more than ${this.capacity} events behind`
  }
}
