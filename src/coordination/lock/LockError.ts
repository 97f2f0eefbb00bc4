/**
 * The errors of acquiring a lock.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The lock is held by someone else until `expires` (owner's clock, ms).
 *
 * @since 0.1.0
 * @category errors
 */
export class LockBusy extends Schema.TaggedError<LockBusy>()("LockBusy", {
  lock: Schema.String,
  expires: Schema.Number
}) {
  override get message(): string {
    return `lock "${this.lock}" is held until ${this.expires}`
  }
}

/**
 * The owner did not answer within `timeout` ms.
 *
 * @since 0.1.0
 * @category errors
 */
export class LockTimeout extends Schema.TaggedError<LockTimeout>()("LockTimeout", {
  lock: Schema.String,
  timeout: Schema.Number
}) {
  override get message(): string {
    return `lock "${this.lock}": no answer from the owner within ${this.timeout} ms`
  }
}
