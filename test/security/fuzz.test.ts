/**
 * Garbage at every public boundary of security: only typed errors (never a defect), and a refused
 * call changes no state besides the audit record of the refusal. `RUNS` inputs per boundary.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Schema } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { AuditLog, Authorization, Identities, receive, verifyChain } from "../../src/security/index.ts"
import { securityLayer } from "./fixtures.ts"
import { Garbage, Messages, RUNS, Sink } from "../resources/fixtures.ts"

const options = { arbitrary: { runs: RUNS, seed: 23 } }
const Id = Schema.Union([Schema.Literals(["alice", "bob"]), Garbage])
const light = Layer.fresh(securityLayer({ authorization: { grants: { alice: ["agent:tell:*"] } } }))
const fresh = Layer.fresh(
  securityLayer({ authorization: { grants: { alice: ["agent:tell:*"] } } }).pipe(Layer.provideMerge(AgentSystem.layer))
)

const outcome = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(effect)
    if (Exit.isSuccess(exit)) return "ok"
    if (Cause.hasDies(exit.cause) || Cause.hasInterrupts(exit.cause)) {
      throw new Error(`defect at a public boundary:\n${Cause.pretty(exit.cause)}`)
    }
    return String((Cause.squash(exit.cause) as { readonly _tag?: unknown })._tag)
  })

/** Grants and keys of the two known agents, and the audit record types. */
const snapshot = Effect.gen(function* () {
  const authz = yield* Authorization
  const identities = yield* Identities
  const key = (agent: string) =>
    Effect.map(Effect.result(identities.publicKey(agent)), (r) => (r._tag === "Success" ? r.success : null))
  return JSON.stringify({
    grants: [yield* authz.grantsOf("alice"), yield* authz.grantsOf("bob")],
    keys: [yield* key("alice"), yield* key("bob")]
  })
})

/** Runs each call in turn on one fresh service; a refused call must leave the snapshot as it was. */
const unchangedOnFailure = (
  calls: ReadonlyArray<
    (setup: { readonly envelope: unknown }) => Effect.Effect<unknown, unknown, Identities | Authorization | AuditLog>
  >,
  allowed: ReadonlyArray<string>
) =>
  Effect.gen(function* () {
    const signer = yield* (yield* Identities).issue("alice")
    const envelope = yield* signer.seal("bob", { n: 1 })
    for (const call of calls) {
      const before = yield* snapshot
      const tag = yield* outcome(call({ envelope }))
      assert.include(["ok", ...allowed], tag)
      if (tag !== "ok") assert.strictEqual(yield* snapshot, before)
    }
    assert.strictEqual(yield* (yield* AuditLog).verify, (yield* (yield* AuditLog).records).length)
  }).pipe(Effect.provide(light))

const Field = Schema.Literals(["sender", "to", "keyId", "nonce", "timestamp", "payload", "signature", "extra"])
const rejected = ["InvalidInput", "InvalidSignature", "ReplayDetected", "StaleMessage"]

describe("security: fuzzed boundaries", () => {
  it.effect.prop(
    "Identities.open(garbage)",
    [Garbage, Id],
    ([raw, to]) => unchangedOnFailure([() => Effect.flatMap(Identities, (i) => i.open(raw, to as string))], rejected),
    options
  )

  it.effect.prop(
    "Identities.open(valid envelope with one field replaced) is refused unless the value is unchanged",
    [Field, Garbage],
    ([field, value]) =>
      unchangedOnFailure(
        [
          ({ envelope }) =>
            Effect.flatMap(Identities, (i) => i.open({ ...(envelope as object), [field]: value })).pipe(
              Effect.tap(() =>
                Effect.sync(() => {
                  // Only a no-op rewrite (or an unsigned extra field) may verify: any signed field changed must not.
                  const original = (envelope as Record<string, unknown>)[field]
                  if (field !== "extra")
                    assert.strictEqual(JSON.stringify(value), JSON.stringify(original), `rewritten ${field} verified`)
                })
              )
            )
        ],
        rejected
      ),
    options
  )

  it.effect.prop(
    "Identities.issue / rotate / revoke / publicKey / trust",
    [Id, Garbage, Garbage],
    ([agent, keyId, key]) =>
      unchangedOnFailure(
        [
          () => Effect.flatMap(Identities, (i) => i.issue(agent as string)),
          () => Effect.flatMap(Identities, (i) => i.rotate(agent as never)),
          () => Effect.flatMap(Identities, (i) => i.publicKey(agent as string)),
          () => Effect.flatMap(Identities, (i) => i.trust(agent as string, keyId as number, key as string)),
          () => Effect.flatMap(Identities, (i) => i.revoke(agent as string))
        ],
        ["InvalidInput", "IdentityExists", "UnknownIdentity"]
      ),
    options
  )

  it.effect.prop(
    "Signer.seal(to, payload)",
    [Id, Garbage],
    ([to, payload]) =>
      Effect.gen(function* () {
        const signer = yield* (yield* Identities).issue("carol")
        assert.include(["ok", "InvalidInput"], yield* outcome(signer.seal(to as string, payload as never)))
      }).pipe(Effect.provide(light)),
    options
  )

  it.effect.prop(
    "Authorization.grant / revoke / check / grantsOf / delegate",
    [Id, Garbage, Schema.Array(Garbage)],
    ([agent, capability, list]) =>
      unchangedOnFailure(
        [
          () => Effect.flatMap(Authorization, (a) => a.check(agent as string, capability as string)),
          () => Effect.flatMap(Authorization, (a) => a.grantsOf(agent as string)),
          () => Effect.flatMap(Authorization, (a) => a.revoke(agent as string, capability as string)),
          () => Effect.flatMap(Authorization, (a) => a.delegate("alice", agent as string, list as Array<string>)),
          () => Effect.flatMap(Authorization, (a) => a.grant(agent as string, capability as string))
        ],
        ["InvalidInput", "Unauthorized"]
      ),
    options
  )

  it.effect.prop(
    "AuditLog.record(entry)",
    [Garbage, Garbage, Garbage],
    ([type, agent, detail]) =>
      Effect.gen(function* () {
        const audit = yield* AuditLog
        const before = (yield* audit.records).length
        const tag = yield* outcome(audit.record({ type, agent, detail } as never))
        assert.include(["ok", "InvalidInput"], tag)
        assert.strictEqual((yield* audit.records).length, before + (tag === "ok" ? 1 : 0))
        assert.strictEqual(yield* audit.verify, before + (tag === "ok" ? 1 : 0))
      }).pipe(Effect.provide(light)),
    options
  )

  it.prop(
    "verifyChain(garbage) never throws",
    [Schema.Array(Garbage)],
    ([records]) => {
      verifyChain(records)
    },
    options
  )

  it.effect.prop(
    "SecureRef.receive(garbage)",
    [Garbage],
    ([raw]) =>
      Effect.gen(function* () {
        const ref = yield* (yield* AgentSystem).spawn(Sink, { id: "bob" })
        assert.include(["ok", ...rejected, "Unauthorized"], yield* outcome(receive(raw, ref, Messages)))
      }).pipe(Effect.provide(fresh)),
    options
  )

  it.effect.prop(
    "Authorization.layerWith / Identities.layerWith(options)",
    [Garbage, Garbage],
    ([a, b]) =>
      Effect.gen(function* () {
        assert.include(
          ["ok", "InvalidInput"],
          yield* outcome(Layer.build(Authorization.layerWith(a as never).pipe(Layer.provide(AuditLog.layer))))
        )
        assert.include(
          ["ok", "InvalidInput"],
          yield* outcome(Layer.build(Identities.layerWith(b as never).pipe(Layer.provide(AuditLog.layer))))
        )
      }),
    options
  )
})
