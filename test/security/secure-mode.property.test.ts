/**
 * Secure mode as a property (issue 29): random sequences of legitimate and forged operations on
 * the ledger and the registry agree with a model that knows who may do what. Every forged or
 * unauthorized operation fails with `Unauthorized` and changes nothing; money is conserved; a name
 * is only ever removed by its owner.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Random, Schema } from "effect"
import { Ledger } from "../../src/economics/ledger/index.ts"
import { Registry } from "../../src/registry/index.ts"
import { SecureMode, secureLayer, Tokens } from "../../src/security/index.ts"

const Agents = ["alice", "bob", "carol"] as const
const Agent = Schema.Literals(Agents)
const Actor = Schema.Literals([...Agents, "forger", "anonymous"])
const Amount = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 60 }))
const Slot = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 }))

const Op = Schema.Union([
  Schema.Struct({ _tag: Schema.Literal("Transfer"), actor: Actor, from: Agent, to: Agent, amount: Amount }),
  Schema.Struct({ _tag: Schema.Literal("Hold"), actor: Actor, account: Agent, amount: Amount }),
  Schema.Struct({ _tag: Schema.Literal("Release"), actor: Actor, slot: Slot }),
  Schema.Struct({ _tag: Schema.Literal("Capture"), actor: Actor, slot: Slot, to: Agent }),
  Schema.Struct({ _tag: Schema.Literal("Register"), actor: Actor, key: Slot }),
  Schema.Struct({ _tag: Schema.Literal("Unregister"), actor: Actor, key: Slot })
])

const grants = Object.fromEntries(Agents.map((a) => [a, [`ledger:transfer:${a}`, `ledger:hold:${a}`]]))
const Secure = secureLayer({ authorization: { grants: { ...grants, bank: ["ledger:*"] } } }).pipe(Layer.orDie)
const Services = Layer.mergeAll(Ledger.layer, Registry.layer).pipe(
  Layer.provideMerge(Secure),
  Layer.provide(Layer.effect(Random.Random, Effect.service(Random.Random).pipe(Random.withSeed("secure-mode"))))
)

describe("secure mode", () => {
  it.effect.prop("random legitimate and forged operations agree with the authority model", { ops: Schema.Array(Op).check(Schema.isMaxLength(40)) }, ({ ops }) =>
    Effect.scoped(Effect.gen(function*() {
      const ledger = yield* Ledger
      const registry = yield* Registry
      const secure = yield* SecureMode
      const tokens = yield* Tokens
      const act = (actor: string) => <A, E, R>(e: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
        actor === "anonymous"
          ? e
          : actor === "forger"
          ? secure.actAs("v1.0.eyJhZ2VudCI6ImFsaWNlIn0.forged")(e)
          : Effect.flatMap(Effect.orDie(tokens.issue(actor)), (t) => secure.actAs(t)(e))
      yield* Effect.orDie(Effect.flatMap(tokens.issue("bank"), (t) =>
        secure.actAs(t)(Effect.forEach(Agents, (a) => Effect.andThen(ledger.open(a), ledger.mint({ account: a, amount: 100n }))))))
      const model = new Map<string, { available: bigint; held: bigint }>(Agents.map((a) => [a, { available: 100n, held: 0n }]))
      const holds: Array<{ readonly id: string; readonly account: string; readonly amount: bigint; readonly owner: string } | undefined> = []
      const names = new Map<number, string>()
      const isAgent = (actor: string) => (Agents as ReadonlyArray<string>).includes(actor)

      for (const op of ops) {
        const snapshot = () => [...model].map(([a, b]) => `${a}:${b.available}/${b.held}`).join(",")
        const before = snapshot()
        const run = act(op.actor)
        switch (op._tag) {
          case "Transfer": {
            const result = yield* Effect.result(run(ledger.transfer({ from: op.from, to: op.to, amount: BigInt(op.amount) })))
            const from = model.get(op.from)!
            const allowed = op.actor === op.from
            const ok = allowed && from.available >= BigInt(op.amount)
            assert.strictEqual(result._tag, ok ? "Success" : "Failure", JSON.stringify(op))
            if (!allowed) assert.strictEqual(result._tag === "Failure" && result.failure._tag, "Unauthorized")
            if (ok) {
              from.available -= BigInt(op.amount)
              model.get(op.to)!.available += BigInt(op.amount)
            }
            break
          }
          case "Hold": {
            const result = yield* Effect.result(run(ledger.hold({ account: op.account, amount: BigInt(op.amount) })))
            const acc = model.get(op.account)!
            const allowed = op.actor === op.account
            const ok = allowed && acc.available >= BigInt(op.amount)
            assert.strictEqual(result._tag, ok ? "Success" : "Failure", JSON.stringify(op))
            if (!allowed) assert.strictEqual(result._tag === "Failure" && result.failure._tag, "Unauthorized")
            if (result._tag === "Success") {
              acc.available -= BigInt(op.amount)
              acc.held += BigInt(op.amount)
              holds.push({ id: result.success.id, account: op.account, amount: BigInt(op.amount), owner: op.actor })
            }
            break
          }
          case "Release":
          case "Capture": {
            const hold = holds[op.slot]
            if (hold === undefined) break
            const result = yield* Effect.result(run(
              op._tag === "Release" ? ledger.release(hold.id) : Effect.asVoid(ledger.capture({ hold: hold.id, to: op.to }))
            ))
            const allowed = op.actor === hold.owner
            assert.strictEqual(result._tag, allowed ? "Success" : "Failure", JSON.stringify(op))
            if (!allowed) assert.strictEqual(result._tag === "Failure" && result.failure._tag, "Unauthorized")
            if (allowed) {
              const acc = model.get(hold.account)!
              acc.held -= hold.amount
              if (op._tag === "Release") acc.available += hold.amount
              else model.get(op.to)!.available += hold.amount
              holds[op.slot] = undefined
            }
            break
          }
          case "Register": {
            const key = `name-${op.key}`
            const result = yield* Effect.result(run(registry.register(key, op.actor)))
            assert.strictEqual(result._tag, names.has(op.key) ? "Failure" : "Success")
            if (result._tag === "Success") names.set(op.key, isAgent(op.actor) ? op.actor : "anonymous")
            break
          }
          case "Unregister": {
            const key = `name-${op.key}`
            const owner = names.get(op.key)
            const result = yield* Effect.result(run(registry.unregister(key)))
            const allowed = owner === undefined || (owner !== "anonymous" && owner === op.actor)
            assert.strictEqual(result._tag, allowed ? "Success" : "Failure", JSON.stringify(op))
            if (result._tag === "Failure") {
              assert.strictEqual(result.failure._tag, "Unauthorized")
              assert.isTrue(Option.isSome(yield* registry.lookup(key)))
            } else names.delete(op.key)
            break
          }
        }
        if (!isAgent(op.actor)) assert.strictEqual(snapshot(), before, "a forged or anonymous operation changed money")
        for (const a of Agents) assert.deepStrictEqual(yield* ledger.balance(a), model.get(a))
        assert.strictEqual((yield* ledger.audit).supply, 300n)
      }
    }).pipe(Effect.provide(Services))), { arbitrary: { runs: 60, seed: 29 } })
})
