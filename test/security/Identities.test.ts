import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AuditLog, Identities } from "../../src/security/index.ts"
import { securityLayer } from "./fixtures.ts"

const lastAudit = Effect.gen(function* () {
  const records = yield* (yield* AuditLog).records
  return records[records.length - 1]
})

describe("Identities", () => {
  it.effect("a sealed envelope opens to its sender and payload", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const signer = yield* identities.issue("alice")
      const envelope = yield* signer.seal("bob", { job: 7 })
      assert.deepInclude(envelope, { sender: "alice", to: "bob", keyId: 0 })
      const verified = yield* identities.open(envelope, "bob")
      assert.deepStrictEqual(verified, { sender: "alice", to: "bob", payload: { job: 7 }, timestamp: 0 })
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("a tampered payload is rejected as bad-signature, and audited", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const signer = yield* identities.issue("alice")
      const envelope = yield* signer.seal("bob", { amount: 1 })
      const error = yield* Effect.flip(identities.open({ ...envelope, payload: { amount: 1000 } }, "bob"))
      assert.deepInclude(error, { _tag: "InvalidSignature", sender: "alice", reason: "bad-signature" })
      assert.deepInclude(yield* lastAudit, { type: "security.rejected", agent: "alice" })
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("forgeries are rejected: another agent's key, an unknown sender, a garbage signature", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      yield* identities.issue("alice")
      const mallory = yield* identities.issue("mallory")
      const forged = yield* mallory.seal("bob", { pay: "mallory" })
      const asAlice = yield* Effect.flip(identities.open({ ...forged, sender: "alice" }))
      assert.deepInclude(asAlice, { sender: "alice", reason: "bad-signature" })
      const unknown = yield* Effect.flip(identities.open({ ...forged, sender: "nobody" }))
      assert.deepInclude(unknown, { reason: "unknown-sender" })
      const garbage = yield* Effect.flip(identities.open({ ...forged, signature: "AAAA" }))
      assert.deepInclude(garbage, { reason: "bad-signature" })
      const wrongKey = yield* Effect.flip(identities.open({ ...forged, keyId: 5 }))
      assert.deepInclude(wrongKey, { reason: "unknown-key" })
      const records = yield* (yield* AuditLog).records
      assert.strictEqual(records.filter((r) => r.type === "security.rejected").length, 4)
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("an envelope for another recipient is rejected", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const signer = yield* identities.issue("alice")
      const envelope = yield* signer.seal("bob", 1)
      assert.deepInclude(yield* Effect.flip(identities.open(envelope, "carol")), { reason: "wrong-recipient" })
      const readdressed = yield* Effect.flip(identities.open({ ...envelope, to: "carol" }, "carol"))
      assert.deepInclude(readdressed, { reason: "bad-signature" })
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("a replayed envelope is rejected with ReplayDetected and audited", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const signer = yield* identities.issue("alice")
      const envelope = yield* signer.seal("bob", "pay 10")
      yield* identities.open(envelope)
      const error = yield* Effect.flip(identities.open(envelope))
      assert.deepInclude(error, { _tag: "ReplayDetected", sender: "alice", nonce: envelope.nonce })
      assert.include(error.message, envelope.nonce)
      assert.deepInclude((yield* lastAudit)?.detail as object, { error: "ReplayDetected" })
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("an envelope outside the time window is stale, in the past or the future", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const signer = yield* identities.issue("alice")
      const old = yield* signer.seal("bob", 1)
      yield* TestClock.adjust("1001 millis")
      const error = yield* Effect.flip(identities.open(old))
      assert.deepInclude(error, { _tag: "StaleMessage", timestamp: 0, now: 1001, windowMillis: 1000 })
      const future = yield* signer.seal("bob", 2)
      yield* TestClock.setTime(0)
      assert.strictEqual((yield* Effect.flip(identities.open(future)))._tag, "StaleMessage")
    }).pipe(Effect.provide(securityLayer({ identities: { windowMillis: 1000 } })))
  )

  it.effect("the replay cache is bounded: an evicted nonce raises the floor, so its replay is refused as stale", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const signer = yield* identities.issue("alice")
      const first = yield* signer.seal("bob", 1)
      yield* identities.open(first)
      for (let i = 0; i < 2; i++) {
        yield* TestClock.adjust("1 millis")
        yield* identities.open(yield* signer.seal("bob", i))
      }
      assert.strictEqual((yield* Effect.flip(identities.open(first)))._tag, "StaleMessage")
    }).pipe(Effect.provide(securityLayer({ identities: { maxNonces: 2 } })))
  )

  it.effect("after rotation the old key verifies for one window, then not; the new key verifies", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const old = yield* identities.issue("alice")
      const rotated = yield* identities.rotate(old)
      assert.strictEqual(rotated.keyId, 1)
      yield* identities.open(yield* old.seal("bob", 1))
      yield* TestClock.adjust("1 second")
      assert.deepInclude(yield* Effect.flip(identities.open(yield* old.seal("bob", 2))), { reason: "unknown-key" })
      yield* identities.open(yield* rotated.seal("bob", 3))
      assert.strictEqual((yield* identities.publicKey("alice")).keyId, 1)
    }).pipe(Effect.provide(securityLayer({ identities: { windowMillis: 1000 } })))
  )

  it.effect("a revoked identity no longer verifies; issue twice, rotate or revoke an unknown one fail typed", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const signer = yield* identities.issue("alice")
      assert.strictEqual((yield* Effect.flip(identities.issue("alice")))._tag, "IdentityExists")
      yield* identities.revoke("alice")
      assert.deepInclude(yield* Effect.flip(identities.open(yield* signer.seal("bob", 1))), {
        reason: "unknown-sender"
      })
      assert.strictEqual((yield* Effect.flip(identities.rotate(signer)))._tag, "UnknownIdentity")
      assert.strictEqual((yield* Effect.flip(identities.revoke("alice")))._tag, "UnknownIdentity")
      assert.strictEqual((yield* Effect.flip(identities.publicKey("alice")))._tag, "UnknownIdentity")
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("a remote node's public key can be trusted; a bad key is InvalidInput", () =>
    Effect.gen(function* () {
      const remote = yield* Effect.provide(
        Effect.gen(function* () {
          const ids = yield* Identities
          const signer = yield* ids.issue("remote-agent")
          return { signer, key: yield* ids.publicKey("remote-agent") }
        }),
        Layer.fresh(securityLayer())
      )
      const identities = yield* Identities
      yield* identities.trust("remote-agent", remote.key.keyId, remote.key.publicKey)
      const verified = yield* identities.open(yield* remote.signer.seal("local", "hi"))
      assert.strictEqual(verified.sender, "remote-agent")
      assert.strictEqual((yield* Effect.flip(identities.trust("x", 0, "bm90IGEga2V5")))._tag, "InvalidInput")
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("malformed envelopes fail with InvalidInput and are audited", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      for (const garbage of [null, 42, "x", {}, { sender: "a" }, []]) {
        assert.strictEqual((yield* Effect.flip(identities.open(garbage)))._tag, "InvalidInput")
      }
      assert.strictEqual((yield* (yield* AuditLog).records).length, 6)
    }).pipe(Effect.provide(securityLayer()))
  )
})
