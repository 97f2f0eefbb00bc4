/**
 * Errors of the event store.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * An event with this `id` is already stored with a different type, correlation id or payload.
 *
 * @since 0.1.0
 * @category errors
 */
export class EventConflict extends Schema.TaggedError<EventConflict>()("EventConflict", {
  id: Schema.String,
  existing: Schema.String,
  attempted: Schema.String
}) {
  override get message(): string {
    return `event "${this.id}" already exists with different content: stored ${this.existing}, attempted ${this.attempted}`
  }
}

/**
 * The storage backend failed (e.g. a SQL error); `operation` names what was attempted.
 *
 * @since 0.1.0
 * @category errors
 */
export class EventStoreFailure extends Schema.TaggedError<EventStoreFailure>()("EventStoreFailure", {
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `event store ${this.operation} failed: ${this.reason}`
  }
}
