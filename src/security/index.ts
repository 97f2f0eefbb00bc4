/**
 * Security (`mabeam/security`): Ed25519 agent identities and signed envelopes (replay-protected
 * on the Clock), runtime-issued HMAC tokens with rotating keys, capability-based authorization,
 * and a hash-chained audit log of every security decision.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Authorization } from "mabeam/security"
 *
 * const program = Effect.gen(function*() {
 *   const authorization = yield* Authorization
 *   yield* authorization.grant("agent-1", "agent:tell:agent-2")
 *   yield* authorization.check("agent-1", "agent:tell:agent-2")   // Unauthorized otherwise
 * })
 * ```
 *
 * @since 0.1.0
 */
export {
  type Anchor,
  AUDIT_EVENT_TYPE,
  AuditLog,
  type AuditLogOptions,
  type Checkpoint,
  GENESIS,
  hashRecord,
  MAX_AUDIT_RECORDS,
  MAX_CHECKPOINTS,
  verifyChain
} from "./AuditLog.ts"
export { checkpointValid, makeCheckpoint, type VerifyOptions } from "./auditChain.ts"
export { checkJsonBounds, MAX_JSON_DEPTH, MAX_JSON_NODES } from "./bounds.ts"
export { Authorization, AuthorizationOptions, MAX_GRANTS, MAX_PRINCIPALS } from "./Authorization.ts"
export {
  AuditChainBroken,
  IdentityExists,
  InvalidSignature,
  InvalidToken,
  ReplayDetected,
  StaleMessage,
  Unauthorized,
  UnknownIdentity
} from "./errors.ts"
export {
  Identities,
  type IdentityOptions,
  MAX_IDENTITIES,
  type OpenError,
  type Signer,
  endorsementBytes,
  signedBytes,
  type Verified
} from "./Identities.ts"
export { AgentId, AuditEntry, AuditRecord, Capability, Envelope } from "./schema.ts"
export { MAX_REVOCATIONS, MAX_TOKEN_KEYS, type TokenClaims, type TokenOptions, Tokens } from "./Tokens.ts"
export * as Capabilities from "./capabilities.ts"
export { spawnChild } from "./capabilities.ts"
export { ANONYMOUS, CallerToken, SecureMode, secureLayer, type SecurityOptions } from "./SecureMode.ts"
export { makeSecureRef, receive, seal, type SecureError, type SecureRef } from "./SecureRef.ts"
export * as SecureAgents from "./SecureAgents.ts"
export * as SecureCoordination from "./SecureCoordination.ts"
export * as SecureCluster from "./SecureCluster.ts"
