/**
 * Attacks on identities (issue 29): taking over an identity by announcing a key, rotating someone
 * else's key, and flooding the replay cache to get another sender's envelopes refused.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AuditLog, Identities, InvalidSignature, type Signer } from "../../src/security/index.ts"
import { securityLayer } from "./fixtures.ts"

/** A key pair for `agent` made by another node (what an attacker can always make). */
const foreignKey = (agent: string) =>
  Effect.provide(
    Effect.gen(function* () {
      const ids = yield* Identities
      const signer = yield* ids.issue(agent)
      return { signer, key: yield* ids.publicKey(agent) }
    }),
    Layer.fresh(securityLayer())
  )

describe("identity lifecycle", () => {
  it.effect("announcing a new key for a known identity without its endorsement is refused and audited", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const alice = yield* identities.issue("alice")
      const forged = yield* foreignKey("alice")
      const error = yield* Effect.flip(identities.trust("alice", 1, forged.key.publicKey))
      assert.instanceOf(error, InvalidSignature)
      assert.strictEqual((error as InvalidSignature).reason, "unendorsed-key")
      const fake = forged.signer.endorse(1, forged.key.publicKey)
      assert.strictEqual(
        (yield* Effect.flip(identities.trust("alice", 1, forged.key.publicKey, fake)))._tag,
        "InvalidSignature"
      )
      // Nothing changed: alice still verifies, the impostor does not.
      assert.strictEqual((yield* identities.open(yield* alice.seal("bob", 1), "bob")).sender, "alice")
      assert.deepInclude(yield* Effect.flip(identities.open(yield* forged.signer.seal("bob", 2), "bob")), {
        reason: "bad-signature"
      })
      assert.strictEqual((yield* identities.publicKey("alice")).keyId, 0)
      const audit = yield* AuditLog
      assert.isTrue((yield* audit.records).some((r) => r.type === "security.rejected" && r.agent === "alice"))
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("a key endorsed by the current key is accepted; an endorsement cannot reuse or roll back a key id", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const remote = yield* foreignKey("carol")
      yield* identities.trust("carol", 0, remote.key.publicKey)
      const next = yield* foreignKey("carol")
      const reused = remote.signer.endorse(0, next.key.publicKey)
      assert.strictEqual(
        (yield* Effect.flip(identities.trust("carol", 0, next.key.publicKey, reused)))._tag,
        "InvalidSignature"
      )
      yield* identities.trust("carol", 1, next.key.publicKey, remote.signer.endorse(1, next.key.publicKey))
      assert.strictEqual((yield* identities.publicKey("carol")).keyId, 1)
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("only the holder of the identity's signer can rotate it", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const alice = yield* identities.issue("alice")
      const impostor: Signer = { agent: "alice", keyId: 0, seal: alice.seal, endorse: () => "" }
      assert.strictEqual((yield* Effect.flip(identities.rotate(impostor)))._tag, "InvalidInput")
      const other = yield* foreignKey("alice")
      assert.strictEqual((yield* Effect.flip(identities.rotate(other.signer)))._tag, "InvalidInput")
      assert.strictEqual((yield* identities.publicKey("alice")).keyId, 0)
      const rotated = yield* identities.rotate(alice)
      assert.strictEqual(rotated.keyId, 1)
      yield* identities.revoke("alice")
      assert.strictEqual((yield* Effect.flip(identities.rotate(rotated)))._tag, "UnknownIdentity")
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("one sender flooding the replay cache cannot get another sender's envelopes refused", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const alice = yield* identities.issue("alice")
      const mallory = yield* identities.issue("mallory")
      const honest = yield* alice.seal("bob", "pay 10")
      yield* TestClock.adjust("1 millis")
      for (let i = 0; i < 100; i++) {
        yield* identities.open(yield* mallory.seal("bob", i))
        yield* TestClock.adjust("1 millis")
      }
      assert.strictEqual((yield* identities.open(honest, "bob")).sender, "alice")
      // The flood only raised mallory's own floor, and alice's replay is still caught.
      assert.strictEqual((yield* Effect.flip(identities.open(honest, "bob")))._tag, "ReplayDetected")
    }).pipe(Effect.provide(securityLayer({ identities: { maxNonces: 4 } })))
  )
})
