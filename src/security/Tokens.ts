/**
 * `Tokens`: runtime-issued identity tokens, HMAC-SHA256 signed with rotating keys — the cheap
 * alternative to per-agent Ed25519 keys when every verifier is this runtime (a node admitting an
 * agent or a runner, a service checking who calls it).
 *
 * A token reads `v1.<keyId>.<claims>.<mac>` (claims: agent, issuedAt, expiresAt as base64url JSON).
 * Keys are 32 bytes from `node:crypto` `randomBytes` (key material must be unpredictable, so not
 * from `Random`). `rotate` starts a new key; older keys keep verifying the tokens they signed
 * until those expire, and at most `MAX_TOKEN_KEYS` keys are kept (policy when full: the oldest is
 * dropped and its tokens fail as `unknown-key`). With `rotateEvery`, the layer rotates on the Clock.
 * Revocations are remembered until every token they cover has expired. Every rejection is audited.
 *
 * @since 0.1.0
 */
import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto"
import { Clock, Context, Duration, Effect, Layer, Schedule, Schema } from "effect"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import { AuditLog } from "./AuditLog.ts"
import { InvalidToken } from "./errors.ts"
import { AgentId } from "./schema.ts"

/**
 * Most signing keys kept (see the module comment).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_TOKEN_KEYS = 16
/** Most verified tokens remembered (see `verify`); the memory is cleared when full. */
const MAX_VERIFIED = 4_096
/**
 * Most agents with a revocation remembered; `revoke` beyond it fails with `InvalidInput`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_REVOCATIONS = 100_000

/**
 * What a verified token says.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenClaims {
  readonly agent: string
  readonly issuedAt: number
  readonly expiresAt: number
}

const Claims = Schema.Struct({ agent: AgentId, issuedAt: Schema.Int, expiresAt: Schema.Int })
const decodeClaims = Schema.decodeUnknownOption(Claims)

/**
 * Options of `Tokens.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenOptions {
  /** How long a token is valid, ms (default 15 minutes). */
  readonly ttlMillis?: number
  /** Rotate the signing key on this period, in the layer's scope. */
  readonly rotateEvery?: Duration.Input
}

/**
 * Runtime-issued HMAC tokens. Requires `AuditLog`.
 *
 * @since 0.1.0
 * @category services
 */
export class Tokens extends Context.Service<
  Tokens,
  {
    /**
     * Issues a token for `agent`, valid for the configured TTL.
     *
     * @example
     * ```ts
     * const tokens = yield* Tokens
     * const token = yield* tokens.issue("runner-2")
     * const { agent } = yield* tokens.verify(token)
     * ```
     */
    readonly issue: (agent: string) => Effect.Effect<string, InvalidInput>
    /** Verifies a token; fails with `InvalidToken` (and an audit record) if it does not verify. */
    readonly verify: (token: unknown) => Effect.Effect<TokenClaims, InvalidToken>
    /**
     * The hot path of `verify`, synchronous: the claims of a token whose MAC already verified, if
     * its key is still kept and it is neither expired nor revoked at `now` (Clock ms); undefined
     * otherwise (then call `verify`, which also audits a rejection).
     */
    readonly claimsUnsafe: (token: string, now: number) => TokenClaims | undefined
    /** Starts a new signing key; returns its id. */
    readonly rotate: Effect.Effect<number>
    /** Rejects every token of `agent` issued up to now. */
    readonly revoke: (agent: string) => Effect.Effect<void, InvalidInput>
  }
>()("mabeam/Tokens") {
  /** Tokens valid 15 minutes, rotated only on `rotate`. */
  static readonly layer: Layer.Layer<Tokens, never, AuditLog> = Layer.effect(
    Tokens,
    Effect.suspend(() => make(15 * 60_000))
  )
  /** Tokens with options; fails with `InvalidInput` for a bad TTL. */
  static readonly layerWith = (options: TokenOptions): Layer.Layer<Tokens, InvalidInput, AuditLog> =>
    Layer.effect(
      Tokens,
      Effect.gen(function* () {
        const ttl = yield* decodeTtl(options.ttlMillis ?? 15 * 60_000)
        const tokens = yield* make(ttl)
        if (options.rotateEvery !== undefined) {
          yield* Effect.forkScoped(
            Effect.repeat(Effect.andThen(Effect.sleep(options.rotateEvery), tokens.rotate), Schedule.forever)
          )
        }
        return tokens
      })
    )
}

const decodeTtl = decodeInput(Schema.Int.check(Schema.isGreaterThan(0)), "Tokens.layerWith")
const decodeAgent = decodeInput(AgentId, "Tokens.issue")
const decodeRevoke = decodeInput(AgentId, "Tokens.revoke")
const b64 = (text: string) => Buffer.from(text).toString("base64url")

interface Key {
  readonly id: number
  // A KeyObject: HMAC with a raw Buffer key re-imports the key on every call, several times slower.
  readonly secret: KeyObject
  /** When the key stopped signing (Infinity while current). */
  retiredAt: number
}

const make = (ttl: number) =>
  Effect.gen(function* () {
    const audit = yield* AuditLog
    const keys: Array<Key> = [{ id: 0, secret: createSecretKey(randomBytes(32)), retiredAt: Infinity }]
    // Tokens whose MAC and claims already verified, so a hot caller pays for the MAC once; expiry,
    // revocation and key retirement are still checked on every use. Bounded: cleared when full.
    const verified = new Map<string, { readonly keyId: number; readonly claims: TokenClaims }>()
    const revoked = new Map<string, number>()
    const mac = (key: Key, body: string) => createHmac("sha256", key.secret).update(body).digest()
    const current = () => keys[keys.length - 1] as Key

    const reject = (reason: InvalidToken["reason"], agent = "") =>
      Effect.andThen(
        Effect.orDie(audit.record({ type: "security.token.rejected", agent, detail: { reason } })),
        Effect.fail(new InvalidToken({ reason }))
      )

    const claimsUnsafe = (token: string, now: number): TokenClaims | undefined => {
      const cached = verified.get(token)
      if (cached === undefined || now >= cached.claims.expiresAt || !keys.some((k) => k.id === cached.keyId))
        return undefined
      const revokedAt = revoked.get(cached.claims.agent)
      return revokedAt !== undefined && cached.claims.issuedAt <= revokedAt ? undefined : cached.claims
    }

    const verify = (token: unknown): Effect.Effect<TokenClaims, InvalidToken> => {
      const cached = typeof token === "string" ? verified.get(token) : undefined
      if (cached === undefined || !keys.some((k) => k.id === cached.keyId)) return verifyMac(token)
      // The hot path (a token seen before): expiry and revocation only, no generator.
      return Effect.clockWith((clock) => {
        const claims = cached.claims
        if (clock.currentTimeMillisUnsafe() >= claims.expiresAt) return reject("expired", claims.agent)
        const revokedAt = revoked.get(claims.agent)
        if (revokedAt !== undefined && claims.issuedAt <= revokedAt) return reject("revoked", claims.agent)
        return Effect.succeed(claims)
      })
    }

    const verifyMac = (token: unknown): Effect.Effect<TokenClaims, InvalidToken> =>
      Effect.gen(function* () {
        const parts = typeof token === "string" && token.length <= 2_000 ? token.split(".") : []
        if (parts.length !== 4 || parts[0] !== "v1" || !/^\d{1,9}$/.test(parts[1] ?? ""))
          return yield* reject("malformed")
        const [, keyText = "", claimsText = "", macText = ""] = parts
        const key = keys.find((k) => k.id === Number(keyText))
        if (key === undefined) return yield* reject("unknown-key")
        const expected = mac(key, `v1.${keyText}.${claimsText}`)
        const given = Buffer.from(macText, "base64url")
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return yield* reject("bad-signature")
        let parsed: unknown
        try {
          parsed = JSON.parse(Buffer.from(claimsText, "base64url").toString("utf8"))
        } catch {
          return yield* reject("malformed")
        }
        const claims = decodeClaims(parsed)
        if (claims._tag === "None") return yield* reject("malformed")
        const now = yield* Clock.currentTimeMillis
        if (now >= claims.value.expiresAt) return yield* reject("expired", claims.value.agent)
        const revokedAt = revoked.get(claims.value.agent)
        if (revokedAt !== undefined && claims.value.issuedAt <= revokedAt)
          return yield* reject("revoked", claims.value.agent)
        if (verified.size >= MAX_VERIFIED) verified.clear()
        verified.set(token as string, { keyId: key.id, claims: claims.value })
        return claims.value
      })

    return Tokens.of({
      issue: (agent) =>
        Effect.flatMap(decodeAgent(agent), (id) =>
          Effect.map(Clock.currentTimeMillis, (now) => {
            const key = current()
            const body = `v1.${key.id}.${b64(JSON.stringify({ agent: id, issuedAt: now, expiresAt: now + ttl }))}`
            return `${body}.${mac(key, body).toString("base64url")}`
          })
        ),
      verify,
      claimsUnsafe,
      rotate: Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        current().retiredAt = now
        const next: Key = { id: current().id + 1, secret: createSecretKey(randomBytes(32)), retiredAt: Infinity }
        // Retired keys are kept while tokens they signed may still be valid, and never more than the cap.
        const kept = keys.filter((k) => k.retiredAt + ttl > now)
        keys.length = 0
        keys.push(...kept.slice(-(MAX_TOKEN_KEYS - 1)), next)
        for (const [agent, at] of revoked) if (at + ttl <= now) revoked.delete(agent)
        yield* Effect.orDie(audit.record({ type: "security.token.rotated", agent: "", detail: { keyId: next.id } }))
        return next.id
      }),
      revoke: (agent) =>
        Effect.flatMap(decodeRevoke(agent), (id) =>
          Effect.gen(function* () {
            if (!revoked.has(id) && revoked.size >= MAX_REVOCATIONS) {
              return yield* new InvalidInput({
                where: "Tokens.revoke",
                issue: `the revocation table is full (${MAX_REVOCATIONS})`
              })
            }
            revoked.set(id, yield* Clock.currentTimeMillis)
            yield* Effect.orDie(audit.record({ type: "security.token.revoked", agent: id, detail: null }))
          })
        )
    })
  })
