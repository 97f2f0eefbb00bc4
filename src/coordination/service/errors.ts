/**
 * The errors of the `Coordination` service (bad input is the shared `InvalidInput`).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** The group could not form a majority (no leader, or nothing committed) within `timeout` ms. */
export class QuorumUnavailable extends Schema.TaggedError<QuorumUnavailable>()("QuorumUnavailable", {
  group: Schema.String,
  operation: Schema.String,
  timeout: Schema.Number
}) {
  override get message(): string {
    return `${this.operation} on group "${this.group}": no majority within ${this.timeout} ms`
  }
}

/** The lease of `lock` (fencing token `token`) ended at `until`, before or during the guarded work (at `now`). */
export class LeaseExpired extends Schema.TaggedError<LeaseExpired>()("LeaseExpired", {
  lock: Schema.String,
  token: Schema.Number,
  until: Schema.Number,
  now: Schema.Number
}) {
  override get message(): string {
    return `lease on lock "${this.lock}" (token ${this.token}) expired at ${this.until} (now ${this.now})`
  }
}

/** `operation` on `name` got no answer (or, for a lock, no grant) within `timeout` ms. */
export class CoordinationTimeout extends Schema.TaggedError<CoordinationTimeout>()("CoordinationTimeout", {
  operation: Schema.String,
  name: Schema.String,
  timeout: Schema.Number
}) {
  override get message(): string {
    return `${this.operation} "${this.name}": no answer within ${this.timeout} ms`
  }
}
