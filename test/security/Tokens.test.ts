import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AuditLog, Tokens } from "../../src/security/index.ts"
import { auditLayer } from "./fixtures.ts"
import { Garbage, outcome, RUNS } from "../resources/fixtures.ts"

const layer = (options: Parameters<typeof Tokens.layerWith>[0] = { ttlMillis: 1_000 }) =>
  Tokens.layerWith(options).pipe(Layer.provideMerge(auditLayer), Layer.orDie)

const reason = (token: unknown) =>
  Effect.map(Effect.flip(Effect.flatMap(Tokens, (t) => t.verify(token))), (e) => e.reason)

describe("Tokens", () => {
  it.effect("an issued token verifies to its agent until it expires", () =>
    Effect.gen(function* () {
      const tokens = yield* Tokens
      const token = yield* tokens.issue("runner-2")
      assert.deepStrictEqual(yield* tokens.verify(token), { agent: "runner-2", issuedAt: 0, expiresAt: 1_000 })
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* reason(token), "expired")
    }).pipe(Effect.provide(layer()))
  )

  it.effect(
    "claimsUnsafe answers only for a token verified before, and never once it is expired, revoked or its key dropped",
    () =>
      Effect.gen(function* () {
        const tokens = yield* Tokens
        const a = yield* tokens.issue("a")
        const b = yield* tokens.issue("b")
        assert.isUndefined(tokens.claimsUnsafe(a, 0))
        yield* tokens.verify(a)
        yield* tokens.verify(b)
        assert.strictEqual(tokens.claimsUnsafe(a, 0)?.agent, "a")
        assert.isUndefined(tokens.claimsUnsafe(a, 1_000))
        yield* tokens.revoke("a")
        assert.isUndefined(tokens.claimsUnsafe(a, 0))
        assert.strictEqual(tokens.claimsUnsafe(b, 0)?.agent, "b")
        // Two rotations a TTL apart drop the key that signed b.
        yield* tokens.rotate
        yield* TestClock.adjust("1 second")
        yield* tokens.rotate
        assert.isUndefined(tokens.claimsUnsafe(b, 0))
      }).pipe(Effect.provide(layer()))
  )

  it.effect("forged and altered tokens are rejected, and audited", () =>
    Effect.gen(function* () {
      const tokens = yield* Tokens
      const token = yield* tokens.issue("runner-2")
      const [v, key, claims, mac] = token.split(".") as [string, string, string, string]
      const otherClaims = Buffer.from(JSON.stringify({ agent: "admin", issuedAt: 0, expiresAt: 10 ** 12 })).toString(
        "base64url"
      )
      assert.strictEqual(yield* reason(`${v}.${key}.${otherClaims}.${mac}`), "bad-signature")
      assert.strictEqual(yield* reason(`${v}.${key}.${claims}.${"A".repeat(43)}`), "bad-signature")
      assert.strictEqual(yield* reason(`${v}.7.${claims}.${mac}`), "unknown-key")
      assert.strictEqual(yield* reason("not a token"), "malformed")
      assert.strictEqual(yield* reason(42), "malformed")
      const audited = (yield* (yield* AuditLog).records).filter((r) => r.type === "security.token.rejected")
      assert.strictEqual(audited.length, 5)
    }).pipe(Effect.provide(layer()))
  )

  it.effect("after rotation old tokens verify until they expire; new tokens use the new key", () =>
    Effect.gen(function* () {
      const tokens = yield* Tokens
      const old = yield* tokens.issue("a")
      assert.strictEqual(yield* tokens.rotate, 1)
      const fresh = yield* tokens.issue("a")
      assert.strictEqual(fresh.split(".")[1], "1")
      yield* tokens.verify(old)
      yield* TestClock.adjust("1 second")
      yield* tokens.rotate
      assert.strictEqual(yield* reason(old), "unknown-key")
    }).pipe(Effect.provide(layer()))
  )

  it.effect("with rotateEvery the key rotates on the clock; at most MAX_TOKEN_KEYS are kept", () =>
    Effect.gen(function* () {
      const tokens = yield* Tokens
      const first = yield* tokens.issue("a")
      yield* TestClock.adjust("20 seconds")
      assert.strictEqual((yield* tokens.issue("a")).split(".")[1], "20")
      assert.strictEqual(yield* reason(first), "unknown-key")
    }).pipe(Effect.provide(layer({ ttlMillis: 60_000, rotateEvery: "1 second" })))
  )

  it.effect("revoke rejects the agent's tokens issued so far, not later ones", () =>
    Effect.gen(function* () {
      const tokens = yield* Tokens
      const before = yield* tokens.issue("a")
      yield* tokens.revoke("a")
      assert.strictEqual(yield* reason(before), "revoked")
      yield* TestClock.adjust("1 millis")
      yield* tokens.verify(yield* tokens.issue("a"))
      assert.strictEqual((yield* Effect.flip(tokens.revoke(""))).where, "Tokens.revoke")
      assert.strictEqual((yield* Effect.flip(tokens.issue(""))).where, "Tokens.issue")
    }).pipe(Effect.provide(layer()))
  )

  it.effect.prop(
    "verify(garbage) fails only with InvalidToken",
    [Garbage],
    ([raw]) =>
      Effect.gen(function* () {
        assert.include(["InvalidToken"], yield* outcome(Effect.flatMap(Tokens, (t) => t.verify(raw))))
      }).pipe(Effect.provide(layer())),
    { arbitrary: { runs: RUNS, seed: 5 } }
  )

  it.effect("a bad TTL fails the layer with InvalidInput", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(Tokens.layerWith({ ttlMillis: 0 }).pipe(Layer.provide(AuditLog.layer)))
      )
      assert.strictEqual(error.where, "Tokens.layerWith")
    })
  )
})
