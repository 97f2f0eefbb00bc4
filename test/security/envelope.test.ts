/**
 * Attacks on signed envelopes and on the decoders behind them (issue 29): every signed field is
 * covered by the signature (one test per field, each rewritten to another VALID value, so only the
 * signature can catch it), and deep or huge input is a typed `InvalidInput` naming the limit.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { InvalidInput } from "../../src/errors/index.ts"
import { AuditLog, type Envelope, Identities, InvalidSignature } from "../../src/security/index.ts"
import { securityLayer } from "./fixtures.ts"

const deep = (levels: number): Schema.Json => {
  let value: Schema.Json = 1
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { k: value }
  return value
}

/** Alice seals for bob; bob and carol have identities; alice's key was rotated so key ids 0 and 1 both verify. */
const setup = Effect.gen(function* () {
  const identities = yield* Identities
  const old = yield* identities.issue("alice")
  yield* identities.issue("bob")
  yield* identities.issue("carol")
  const envelope = yield* old.seal("bob", { amount: 10 })
  yield* identities.rotate(old)
  return { identities, envelope }
})

const rewrites: ReadonlyArray<readonly [string, (e: Envelope) => unknown, string | undefined]> = [
  [
    "nonce",
    (e) => ({ ...e, nonce: e.nonce.endsWith("0") ? `${e.nonce.slice(0, -1)}1` : `${e.nonce.slice(0, -1)}0` }),
    "bob"
  ],
  ["timestamp", (e) => ({ ...e, timestamp: e.timestamp + 1 }), "bob"],
  ["key id", (e) => ({ ...e, keyId: 1 }), "bob"],
  ["sender", (e) => ({ ...e, sender: "carol" }), "bob"],
  ["recipient", (e) => ({ ...e, to: "carol" }), "carol"],
  ["payload", (e) => ({ ...e, payload: { amount: 1_000 } }), "bob"]
]

describe("envelopes: every signed field is signed", () => {
  for (const [field, rewrite, openAs] of rewrites) {
    it.effect(`rewriting the ${field} fails verification as a bad signature`, () =>
      Effect.gen(function* () {
        const { envelope, identities } = yield* setup
        const error = yield* Effect.flip(identities.open(rewrite(envelope), openAs))
        assert.instanceOf(error, InvalidSignature)
        assert.strictEqual((error as InvalidSignature).reason, "bad-signature")
        // The untouched envelope still verifies: the test can only fail on the rewritten field.
        const verified = yield* identities.open(envelope, "bob")
        assert.deepStrictEqual(verified.payload, { amount: 10 })
        const audit = yield* AuditLog
        assert.strictEqual(yield* audit.verify, (yield* audit.records).length)
      }).pipe(Effect.provide(securityLayer()))
    )
  }
})

describe("bounded input", () => {
  it.effect(
    "10 000 levels of nesting in AuditLog.record is InvalidInput naming the limit, and nothing is recorded",
    () =>
      Effect.gen(function* () {
        const audit = yield* AuditLog
        const before = (yield* audit.records).length
        const error = yield* Effect.flip(audit.record({ type: "t", agent: "a", detail: deep(10_000) }))
        assert.instanceOf(error, InvalidInput)
        assert.include(error.message, "MAX_JSON_DEPTH")
        assert.strictEqual((yield* audit.records).length, before)
        yield* audit.record({ type: "t", agent: "a", detail: deep(10) })
        assert.strictEqual(yield* audit.verify, before + 1)
      }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("10 000 levels of nesting in Signer.seal and Identities.open are InvalidInput, not a stack overflow", () =>
    Effect.gen(function* () {
      const identities = yield* Identities
      const signer = yield* identities.issue("alice")
      const sealed = yield* Effect.flip(signer.seal("bob", deep(10_000)))
      assert.instanceOf(sealed, InvalidInput)
      assert.include(sealed.message, "MAX_JSON_DEPTH")
      const envelope = yield* signer.seal("bob", 1)
      const opened = yield* Effect.flip(identities.open({ ...envelope, payload: deep(10_000) }, "bob"))
      assert.instanceOf(opened, InvalidInput)
      assert.include(opened.message, "MAX_JSON_DEPTH")
      // The honest envelope is unaffected by the attempt.
      assert.strictEqual((yield* identities.open(envelope, "bob")).payload, 1)
    }).pipe(Effect.provide(securityLayer()))
  )

  it.effect("a payload of more than MAX_JSON_NODES values is refused by name", () =>
    Effect.gen(function* () {
      const signer = yield* (yield* Identities).issue("alice")
      const error = yield* Effect.flip(
        signer.seal(
          "bob",
          Array.from({ length: 100_001 }, () => 0)
        )
      )
      assert.include(error.message, "MAX_JSON_NODES")
    }).pipe(Effect.provide(securityLayer()))
  )
})
