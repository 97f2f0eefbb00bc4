/**
 * `Identities`: Ed25519 identities for agents, signed envelopes, and their verification.
 *
 * `issue(agent)` makes a key pair with `node:crypto` (key material comes from the OS CSPRNG, not
 * from `Random`: keys must be unpredictable, and a seeded `Random` is not). The service keeps only
 * the public key; the private key lives inside the returned `Signer`, so only the holder of that
 * object can sign as the agent. `open` verifies an envelope: time window (Clock), sender key,
 * recipient, signature, then nonce (a replay). Every rejection is a typed error AND an audit record.
 *
 * Nonces are a per-signer random prefix (from `Random`) and a counter: they need to be unique,
 * not secret. Replay protection is kept per sender (one bounded `NonceCache` each, `maxNonces`
 * entries): a sender that floods only raises its own floor. Timestamps further than `windowMillis`
 * from the verifier's clock are refused (`StaleMessage`). Identities are bounded by
 * `MAX_IDENTITIES` (`issue` fails beyond it), so the caches are bounded too.
 *
 * Key lifecycle: only the holder of an identity's current `Signer` can rotate it (`rotate(signer)`),
 * and a remote identity's new key is accepted by `trust` only with an endorsement signed by one of
 * its valid keys (`signer.endorse`), so nobody takes over an identity by announcing a key.
 * `revoke` forgets every key at once.
 *
 * @since 0.1.0
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto"
import { Clock, Context, Effect, Layer, Random, Schema } from "effect"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import { AuditLog } from "./AuditLog.ts"
import { IdentityExists, InvalidSignature, ReplayDetected, StaleMessage, UnknownIdentity } from "./errors.ts"
import { checkJsonBounds } from "./bounds.ts"
import { canonicalJson as canonical } from "../internal/canonicalJson.ts"
import { NonceCache } from "./internal/nonces.ts"
import { AgentId, Envelope } from "./schema.ts"

/**
 * Most identities held at once.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_IDENTITIES = 100_000

/**
 * The power to sign as one agent. Whoever holds it is that agent: hand it only to the agent.
 *
 * @since 0.1.0
 * @category models
 */
export interface Signer {
  readonly agent: string
  readonly keyId: number
  /** Signs `payload` for recipient `to`, stamped with Clock time and a fresh nonce. */
  readonly seal: (to: string, payload: Schema.Json) => Effect.Effect<Envelope, InvalidInput>
  /**
   * Signs the statement "`keyId`/`publicKey` is this agent's next key" (base64), for another
   * node's `Identities.trust` to accept the new key of an identity it already knows.
   */
  readonly endorse: (keyId: number, publicKey: string) => string
}

/**
 * The bytes an endorsement of a new key signs.
 *
 * @since 0.1.0
 * @category utils
 */
export const endorsementBytes = (agent: string, keyId: number, publicKey: string): Buffer =>
  Buffer.from(canonical({ purpose: "mabeam-key-endorsement-v1", agent, keyId, publicKey }))

/**
 * What a verified envelope tells the receiver.
 *
 * @since 0.1.0
 * @category models
 */
export interface Verified {
  readonly sender: string
  readonly to: string
  readonly payload: Schema.Json
  readonly timestamp: number
}

/**
 * Everything `open` can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type OpenError = InvalidSignature | ReplayDetected | StaleMessage | InvalidInput

/**
 * Options of `Identities.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface IdentityOptions {
  /** How far an envelope's timestamp may be from the verifier's clock, ms (default 30 000). */
  readonly windowMillis?: number
  /** Most nonces remembered per sender (default 4 096). */
  readonly maxNonces?: number
}

interface Key {
  readonly keyId: number
  readonly key: KeyObject
  /** Past keys stay valid until this time (the window), so envelopes in flight still verify. */
  readonly until: number
}

/**
 * Agent identities and envelope verification. Requires `AuditLog`.
 *
 * @since 0.1.0
 * @category services
 */
export class Identities extends Context.Service<
  Identities,
  {
    /** Creates the identity of `agent` and returns its signer; fails with `IdentityExists` if it has one. */
    readonly issue: (agent: string) => Effect.Effect<Signer, IdentityExists | InvalidInput>
    /**
     * Replaces the key of the signer's agent; only a signer this service issued, holding a key still
     * valid, may (else `InvalidInput`, or `UnknownIdentity` once revoked). The old key verifies for
     * one more window. Returns the new signer.
     */
    readonly rotate: (signer: Signer) => Effect.Effect<Signer, UnknownIdentity | InvalidInput>
    /** Forgets every key of `agent`: its envelopes no longer verify. */
    readonly revoke: (agent: string) => Effect.Effect<void, UnknownIdentity | InvalidInput>
    /**
     * Accepts a public key (SPKI DER, base64) for a remote `agent` under `keyId`. For an agent that
     * already has a key, `endorsement` (from `signer.endorse` with a valid key of that agent) is
     * required and `keyId` must be new; otherwise `InvalidSignature` (`"unendorsed-key"`), audited.
     */
    readonly trust: (
      agent: string,
      keyId: number,
      publicKey: string,
      endorsement?: string
    ) => Effect.Effect<void, InvalidInput | InvalidSignature>
    /** The current public key of `agent` (SPKI DER, base64), to hand to other nodes. */
    readonly publicKey: (
      agent: string
    ) => Effect.Effect<{ readonly keyId: number; readonly publicKey: string }, UnknownIdentity | InvalidInput>
    /**
     * Verifies an envelope received by `to` (when given, the envelope must be addressed to it).
     *
     * @example
     * ```ts
     * const envelope = yield* signer.seal("worker-1", { job: 7 })
     * const { sender, payload } = yield* identities.open(envelope, "worker-1")
     * ```
     */
    readonly open: (envelope: unknown, to?: string) => Effect.Effect<Verified, OpenError>
  }
>()("mabeam/Identities") {
  /** Identities with a 30 s window and 4 096 remembered nonces per sender. */
  static readonly layer: Layer.Layer<Identities, never, AuditLog> = Layer.effect(
    Identities,
    Effect.suspend(() => make({}))
  )
  /** Identities with options. */
  static readonly layerWith = (options: IdentityOptions): Layer.Layer<Identities, InvalidInput, AuditLog> =>
    Layer.effect(Identities, Effect.flatMap(decodeOptions(options), make))
}

const decodeOptions = decodeInput(
  Schema.Struct({
    windowMillis: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
    maxNonces: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000_000 })))
  }),
  "Identities.layerWith"
)
const decodeEnvelope = decodeInput(Envelope, "Identities.open")
// The guard is cheaper than the decoder, which builds an error message; the decoder runs on bad input only.
const isEnvelope = Schema.is(Envelope)
const decodeSeal = decodeInput(Schema.Struct({ to: AgentId, payload: Schema.Json }), "Signer.seal")
const decodeTrust = decodeInput(
  Schema.Struct({
    agent: AgentId,
    keyId: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
    publicKey: Schema.String.check(Schema.isBetweenLength(1, 1_000))
  }),
  "Identities.trust"
)
const agentIn = (where: string) => decodeInput(AgentId, where)

/**
 * The bytes an envelope's signature covers.
 *
 * @since 0.1.0
 * @category utils
 */
export const signedBytes = (envelope: Omit<Envelope, "signature">): Buffer =>
  Buffer.from(
    canonical({
      sender: envelope.sender,
      to: envelope.to,
      keyId: envelope.keyId,
      nonce: envelope.nonce,
      timestamp: envelope.timestamp,
      payload: envelope.payload
    })
  )

const isSealInput = Schema.is(Schema.Struct({ to: AgentId, payload: Schema.Json }))
// Bounds first: the Json guard and decoder recurse, so deep payloads must be refused before them.
const sealInput = (
  to: string,
  payload: Schema.Json
): Effect.Effect<{ readonly to: string; readonly payload: Schema.Json }, InvalidInput> => {
  const tooBig = checkJsonBounds(payload, "Signer.seal")
  if (tooBig !== undefined) return Effect.fail(tooBig)
  return isSealInput({ to, payload }) ? Effect.succeed({ to, payload }) : decodeSeal({ to, payload })
}

/**
 * A signer. Its nonces are a random 64-bit prefix (from `Random`, drawn once) and a counter:
 * unique for every envelope of this signer, at the cost of one increment each.
 */
const makeSigner = (agent: string, keyId: number, privateKey: KeyObject, prefix: string): Signer => {
  let counter = 0
  return {
    agent,
    keyId,
    endorse: (nextKeyId, publicKey) =>
      sign(null, endorsementBytes(agent, nextKeyId, publicKey), privateKey).toString("base64"),
    seal: (to, payload) =>
      Effect.flatMap(sealInput(to, payload), (input) =>
        Effect.map(Clock.currentTimeMillis, (timestamp) => {
          const body = {
            sender: agent,
            to: input.to,
            keyId,
            nonce: `${prefix}${(++counter).toString(16)}`,
            timestamp,
            payload: input.payload
          }
          return { ...body, signature: sign(null, signedBytes(body), privateKey).toString("base64") }
        })
      )
  }
}

const randomPrefix = Effect.map(
  Effect.all([Random.nextIntBetween(0, 2 ** 32), Random.nextIntBetween(0, 2 ** 32)]),
  (parts) => parts.map((n) => n.toString(16).padStart(8, "0")).join("")
)

const make = (options: { readonly windowMillis?: number; readonly maxNonces?: number }) =>
  Effect.gen(function* () {
    const audit = yield* AuditLog
    const windowMillis = options.windowMillis ?? 30_000
    const maxNonces = options.maxNonces ?? 4_096
    const nonces = new Map<string, NonceCache>()
    const keys = new Map<string, Array<Key>>()
    // Signers this service made: `rotate` accepts only these (possession proves the identity).
    const issued = new WeakSet<Signer>()

    const store = (agent: string, key: Key, now: number) => {
      // Past keys keep verifying for one window; older ones go.
      const kept = (keys.get(agent) ?? [])
        .filter((k) => k.until > now && k.keyId !== key.keyId)
        .map((k) => (k.until === Infinity ? { ...k, until: now + windowMillis } : k))
      keys.set(agent, [...kept, key])
    }
    const fresh = (agent: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const pair = generateKeyPairSync("ed25519")
        const keyId = (keys.get(agent)?.reduce((max, k) => Math.max(max, k.keyId), -1) ?? -1) + 1
        store(agent, { keyId, key: pair.publicKey, until: Infinity }, now)
        yield* Effect.orDie(audit.record({ type: "security.identity.issued", agent, detail: { keyId } }))
        const signer = makeSigner(agent, keyId, pair.privateKey, yield* randomPrefix)
        issued.add(signer)
        return signer
      })

    const reject = <E extends InvalidSignature | ReplayDetected | StaleMessage | InvalidInput>(
      error: E,
      sender: string
    ) =>
      Effect.andThen(
        Effect.orDie(
          audit.record({
            type: "security.rejected",
            agent: sender.slice(0, 200),
            detail: { error: error._tag, message: error.message.slice(0, 500) }
          })
        ),
        Effect.fail(error)
      )

    const open = (raw: unknown, to?: string): Effect.Effect<Verified, OpenError> =>
      Effect.gen(function* () {
        const claimed =
          typeof (raw as { sender?: unknown } | null)?.sender === "string" ? (raw as { sender: string }).sender : ""
        const tooBig = checkJsonBounds(raw, "Identities.open")
        if (tooBig !== undefined) return yield* reject(tooBig, claimed)
        const envelope = isEnvelope(raw)
          ? raw
          : yield* Effect.catch(decodeEnvelope(raw), (error) => reject(error, claimed))
        const { sender } = envelope
        const now = yield* Clock.currentTimeMillis
        const seen = nonces.get(sender)
        if (
          Math.abs(now - envelope.timestamp) > windowMillis ||
          (seen !== undefined && envelope.timestamp <= seen.floor)
        ) {
          return yield* reject(new StaleMessage({ sender, timestamp: envelope.timestamp, now, windowMillis }), sender)
        }
        const known = keys.get(sender)
        if (known === undefined)
          return yield* reject(new InvalidSignature({ sender, reason: "unknown-sender" }), sender)
        const key = known.find((k) => k.keyId === envelope.keyId && k.until > now)
        if (key === undefined) return yield* reject(new InvalidSignature({ sender, reason: "unknown-key" }), sender)
        if (to !== undefined && envelope.to !== to)
          return yield* reject(new InvalidSignature({ sender, reason: "wrong-recipient" }), sender)
        let valid = false
        try {
          valid = verify(null, signedBytes(envelope), key.key, Buffer.from(envelope.signature, "base64"))
        } catch {
          valid = false
        }
        if (!valid) return yield* reject(new InvalidSignature({ sender, reason: "bad-signature" }), sender)
        if (seen?.has(envelope.nonce) === true)
          return yield* reject(new ReplayDetected({ sender, nonce: envelope.nonce }), sender)
        const cache = seen ?? new NonceCache(maxNonces)
        if (seen === undefined) nonces.set(sender, cache)
        cache.add(envelope.nonce, envelope.timestamp, now - windowMillis)
        return { sender, to: envelope.to, payload: envelope.payload, timestamp: envelope.timestamp }
      })

    return Identities.of({
      issue: (agent) =>
        Effect.flatMap(
          agentIn("Identities.issue")(agent),
          (id): Effect.Effect<Signer, IdentityExists | InvalidInput> => {
            if (keys.has(id)) return Effect.fail(new IdentityExists({ agent: id }))
            if (keys.size >= MAX_IDENTITIES) {
              return Effect.fail(
                new InvalidInput({ where: "Identities.issue", issue: `the identity table is full (${MAX_IDENTITIES})` })
              )
            }
            return fresh(id)
          }
        ),
      rotate: (signer) =>
        Effect.gen(function* () {
          if (typeof signer !== "object" || signer === null || !issued.has(signer)) {
            return yield* new InvalidInput({ where: "Identities.rotate", issue: "not a signer issued by this service" })
          }
          const held = keys.get(signer.agent)
          if (held === undefined) return yield* new UnknownIdentity({ agent: signer.agent })
          const now = yield* Clock.currentTimeMillis
          if (!held.some((k) => k.keyId === signer.keyId && k.until > now)) {
            return yield* new InvalidInput({
              where: "Identities.rotate",
              issue: `key ${signer.keyId} of "${signer.agent}" is no longer valid`
            })
          }
          return yield* fresh(signer.agent)
        }),
      revoke: (agent) =>
        Effect.flatMap(agentIn("Identities.revoke")(agent), (id): Effect.Effect<void, UnknownIdentity> => {
          nonces.delete(id)
          if (!keys.delete(id)) return Effect.fail(new UnknownIdentity({ agent: id }))
          return Effect.orDie(audit.record({ type: "security.identity.revoked", agent: id, detail: null }))
        }),
      trust: (agent, keyId, publicKey, endorsement) =>
        Effect.flatMap(decodeTrust({ agent, keyId, publicKey }), (input) =>
          Effect.gen(function* () {
            const key = yield* Effect.try({
              try: () => createPublicKey({ key: Buffer.from(input.publicKey, "base64"), format: "der", type: "spki" }),
              catch: () =>
                new InvalidInput({ where: "Identities.trust", issue: "not an SPKI DER public key in base64" })
            })
            if (key.asymmetricKeyType !== "ed25519") {
              return yield* new InvalidInput({
                where: "Identities.trust",
                issue: `expected an ed25519 key, got ${String(key.asymmetricKeyType)}`
              })
            }
            if (!keys.has(input.agent) && keys.size >= MAX_IDENTITIES) {
              return yield* new InvalidInput({
                where: "Identities.trust",
                issue: `the identity table is full (${MAX_IDENTITIES})`
              })
            }
            const now = yield* Clock.currentTimeMillis
            const known = keys.get(input.agent)?.filter((k) => k.until > now)
            if (known !== undefined && known.length > 0) {
              // A known identity changes key only with the consent of a key it has now.
              const bytes = endorsementBytes(input.agent, input.keyId, input.publicKey)
              const endorsed =
                typeof endorsement === "string" &&
                endorsement.length <= 200 &&
                known.every((k) => k.keyId < input.keyId) &&
                known.some((k) => {
                  try {
                    return verify(null, bytes, k.key, Buffer.from(endorsement, "base64"))
                  } catch {
                    return false
                  }
                })
              if (!endorsed)
                return yield* reject(
                  new InvalidSignature({ sender: input.agent, reason: "unendorsed-key" }),
                  input.agent
                )
            }
            store(input.agent, { keyId: input.keyId, key, until: Infinity }, now)
            yield* Effect.orDie(
              audit.record({ type: "security.identity.trusted", agent: input.agent, detail: { keyId: input.keyId } })
            )
          })
        ),
      publicKey: (agent) =>
        Effect.flatMap(agentIn("Identities.publicKey")(agent), (id) => {
          const current = keys.get(id)?.find((k) => k.until === Infinity)
          return current === undefined
            ? Effect.fail(new UnknownIdentity({ agent: id }))
            : Effect.succeed({
                keyId: current.keyId,
                publicKey: current.key.export({ format: "der", type: "spki" }).toString("base64")
              })
        }),
      open
    })
  })
