/**
 * The errors of the `Coordination` service (bad input is the shared `InvalidInput`).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The group could not form a majority (no leader, or nothing committed) within `timeout` ms.
 *
 * @since 0.1.0
 * @category errors
 */
export class QuorumUnavailable extends Schema.TaggedError<QuorumUnavailable>()("QuorumUnavailable", {
  group: Schema.String,
  operation: Schema.String,
  timeout: Schema.Number
}) {
  override get message(): string {
    return `${this.operation} on group "${this.group}": no majority within ${this.timeout} ms`
  }
}

/**
 * The lease of `lock` (fencing token `token`) ended at `until`, before or during the guarded work (at `now`).
 *
 * @since 0.1.0
 * @category errors
 */
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

/**
 * `operation` on `name` did not complete within `timeout` ms. For a lock, `heldUntil` is set when
 * the lock was answered but stayed held by another holder (its lease's end as last reported);
 * otherwise nothing answered.
 *
 * @since 0.1.0
 * @category errors
 */
export class CoordinationTimeout extends Schema.TaggedError<CoordinationTimeout>()("CoordinationTimeout", {
  operation: Schema.String,
  name: Schema.String,
  timeout: Schema.Number,
  heldUntil: Schema.optionalKey(Schema.Number)
}) {
  override get message(): string {
    if (this.heldUntil !== undefined) {
      return (
        `${this.operation} "${this.name}" is held by another holder (its lease runs until ${this.heldUntil}); ` +
        `gave up after waiting ${this.timeout} ms: pass a longer timeout, or have the holder close its scope (see Coordination.state for who holds it)`
      )
    }
    return (
      `${this.operation} "${this.name}": no answer within ${this.timeout} ms; ` +
      `the service may be overloaded or its participants down (see Coordination.state): retry, or pass a longer timeout`
    )
  }
}

/**
 * The calling fiber already holds `lock` (fencing token `token`, lease until `until`): acquiring it again would wait for itself.
 *
 * @since 0.1.0
 * @category errors
 */
export class LockAlreadyHeld extends Schema.TaggedError<LockAlreadyHeld>()("LockAlreadyHeld", {
  lock: Schema.String,
  token: Schema.Number,
  until: Schema.Number
}) {
  override get message(): string {
    return (
      `lock "${this.lock}" is already held by this fiber (token ${this.token}, lease until ${this.until}); ` +
      `locks are not re-entrant: use the lease you hold, or close its scope before acquiring again`
    )
  }
}

/**
 * Every seat of election group `group` is taken (`size` seats).
 *
 * @since 0.1.0
 * @category errors
 */
export class SeatsTaken extends Schema.TaggedError<SeatsTaken>()("SeatsTaken", {
  group: Schema.String,
  size: Schema.Number
}) {
  override get message(): string {
    return (
      `election group "${this.group}": all ${this.size} seats are taken; a seat frees when its holder's scope closes: ` +
      `close one, use another group, or raise groupSize (at most 9) in Coordination.layerWith`
    )
  }
}

/**
 * `group` refused `operation` at once: its replicated log is full (`maxLog` entries; no compaction yet).
 *
 * @since 0.1.0
 * @category errors
 */
export class Overloaded extends Schema.TaggedError<Overloaded>()("Overloaded", {
  group: Schema.String,
  operation: Schema.String,
  maxLog: Schema.Number
}) {
  override get message(): string {
    return (
      `${this.operation} on group "${this.group}" refused: its log is full (${this.maxLog} entries, no compaction yet); ` +
      `retrying will not help: restart the service (or use the single-owner lock) until log compaction lands`
    )
  }
}
