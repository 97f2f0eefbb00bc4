/**
 * Schemas of what crosses the security boundary: envelopes, capabilities, audit records.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * An agent id: 1 to 200 characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AgentId = Schema.String.check(Schema.isBetweenLength(1, 200))

/** Hex text of bounded length (nonces, hashes). */
const Hex = (max: number) => Schema.String.check(Schema.isBetweenLength(1, max), Schema.isPattern(/^[0-9a-f]+$/))

/**
 * A signed message. The signature covers every other field (canonical JSON): who sent it, to
 * whom, with which key, a nonce, the sender's Clock time and the payload.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Envelope = Schema.Struct({
  sender: AgentId,
  to: AgentId,
  keyId: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  nonce: Hex(64),
  timestamp: Schema.Int,
  payload: Schema.Json,
  signature: Schema.String.check(Schema.isBetweenLength(1, 200), Schema.isPattern(/^[A-Za-z0-9+/=_-]+$/))
})
/**
 * A signed message.
 *
 * @since 0.1.0
 * @category models
 */
export type Envelope = typeof Envelope.Type

/**
 * A capability: colon-separated segments such as `agent:tell:worker-1`, `agent:spawn`,
 * `budget:spend:team-a`, `ledger:transfer:acct-7`. A granted pattern may end in `*`, which
 * matches any remaining segments (`agent:tell:*`, or `*` for everything).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Capability = Schema.String.check(
  Schema.isBetweenLength(1, 300),
  Schema.isPattern(/^(\*|[^:*\s]+(:[^:*\s]+)*(:\*)?)$/)
)
/**
 * A capability or pattern.
 *
 * @since 0.1.0
 * @category models
 */
export type Capability = typeof Capability.Type

/**
 * One record of the audit chain: `hash` = sha256(`prev` + canonical JSON of the other fields).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuditRecord = Schema.Struct({
  index: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  time: Schema.Number,
  type: Schema.String.check(Schema.isBetweenLength(1, 200)),
  agent: Schema.String.check(Schema.isMaxLength(200)),
  detail: Schema.Json,
  prev: Hex(64),
  hash: Hex(64)
})
/**
 * One record of the audit chain.
 *
 * @since 0.1.0
 * @category models
 */
export type AuditRecord = typeof AuditRecord.Type

/**
 * An event to record in the audit chain.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuditEntry = Schema.Struct({
  type: Schema.String.check(Schema.isBetweenLength(1, 200)),
  agent: Schema.String.check(Schema.isMaxLength(200)),
  detail: Schema.Json
})
/**
 * An event to record in the audit chain.
 *
 * @since 0.1.0
 * @category models
 */
export type AuditEntry = typeof AuditEntry.Type
