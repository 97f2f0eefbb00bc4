/**
 * The tagged errors of the security capability.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A signed envelope did not verify. `reason`: `"unknown-sender"` (no key for that identity),
 * `"unknown-key"` (the key id is not, or no longer, valid for the sender), `"bad-signature"`
 * (forged, or tampered after signing), `"wrong-recipient"` (signed for another agent),
 * `"unendorsed-key"` (a new key for a known identity without a valid endorsement by its key).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidSignature extends Schema.TaggedError<InvalidSignature>()("InvalidSignature", {
  sender: Schema.String,
  reason: Schema.Literals(["unknown-sender", "unknown-key", "bad-signature", "wrong-recipient", "unendorsed-key"])
}) {
  override get message(): string {
    return `envelope claiming sender "${this.sender}" rejected: ${this.reason}`
  }
}

/**
 * An envelope's nonce was already accepted from this sender within the time window.
 *
 * @since 0.1.0
 * @category errors
 */
export class ReplayDetected extends Schema.TaggedError<ReplayDetected>()("ReplayDetected", {
  sender: Schema.String,
  nonce: Schema.String
}) {
  override get message(): string {
    return `replayed envelope from "${this.sender}": nonce ${this.nonce} was already accepted`
  }
}

/**
 * An envelope's timestamp is outside the accepted window around the verifier's clock.
 *
 * @since 0.1.0
 * @category errors
 */
export class StaleMessage extends Schema.TaggedError<StaleMessage>()("StaleMessage", {
  sender: Schema.String,
  timestamp: Schema.Number,
  now: Schema.Number,
  windowMillis: Schema.Number
}) {
  override get message(): string {
    return `envelope from "${this.sender}" stamped ${this.timestamp} is outside the ${this.windowMillis} ms window around ${this.now}`
  }
}

/**
 * `issue` was called for an identity that already has a key (use `rotate`).
 *
 * @since 0.1.0
 * @category errors
 */
export class IdentityExists extends Schema.TaggedError<IdentityExists>()("IdentityExists", {
  agent: Schema.String
}) {
  override get message(): string {
    return `agent "${this.agent}" already has an identity`
  }
}

/**
 * No identity is registered for `agent`.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownIdentity extends Schema.TaggedError<UnknownIdentity>()("UnknownIdentity", {
  agent: Schema.String
}) {
  override get message(): string {
    return `agent "${this.agent}" has no identity`
  }
}

/**
 * `agent` lacks `capability`.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  agent: Schema.String,
  capability: Schema.String
}) {
  override get message(): string {
    return `agent "${this.agent}" lacks capability "${this.capability}"`
  }
}

/**
 * The audit chain does not verify at record `index`. `reason`: `"hash-mismatch"` (the record was
 * altered, or re-hashed without the key), `"broken-link"` (its `prev` is not the previous record's
 * hash: removed or reordered), `"index-gap"` (indexes do not follow each other: a record removed
 * or inserted), `"missing-head"` (the chain does not start at record 0), `"truncated"` (records a
 * checkpoint or the live head vouch for are missing at the end), `"checkpoint-mismatch"` (the
 * chain disagrees with a signed checkpoint, or the checkpoint is forged), `"malformed"`.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuditChainBroken extends Schema.TaggedError<AuditChainBroken>()("AuditChainBroken", {
  index: Schema.Number,
  reason: Schema.Literals([
    "hash-mismatch",
    "broken-link",
    "index-gap",
    "missing-head",
    "truncated",
    "checkpoint-mismatch",
    "malformed"
  ])
}) {
  override get message(): string {
    return `audit chain broken at record ${this.index}: ${this.reason}`
  }
}

/**
 * A runtime-issued token did not verify. `reason`: `"malformed"`, `"unknown-key"` (signed with a
 * key rotated out), `"bad-signature"` (forged or altered), `"expired"`, `"revoked"`.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidToken extends Schema.TaggedError<InvalidToken>()("InvalidToken", {
  reason: Schema.Literals(["malformed", "unknown-key", "bad-signature", "expired", "revoked"])
}) {
  override get message(): string {
    return `token rejected: ${this.reason}`
  }
}
