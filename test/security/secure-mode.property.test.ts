/**
 * Secure mode as a property (issue 29): random sequences of legitimate and forged operations on
 * the ledger, the registry and the (checked) agent system agree with a model that knows who may do
 * what. Every forged or unauthorized operation fails with `Unauthorized` and changes nothing; money
 * is conserved; a name is only ever removed by its owner; an agent only runs, stops or counts as
 * its authorized callers made it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Random, Schema } from "effect"
import { type AgentRef, AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/ledger/index.ts"
import { Registry } from "../../src/registry/index.ts"
import { SecureAgents, SecureMode, secureLayer, Tokens } from "../../src/security/index.ts"
import { Counter, type CounterMessage, Get, Increment } from "../agent/fixtures.ts"

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
  Schema.Struct({ _tag: Schema.Literal("Unregister"), actor: Actor, key: Slot }),
  Schema.Struct({ _tag: Schema.Literal("Spawn"), actor: Actor, slot: Slot }),
  Schema.Struct({ _tag: Schema.Literal("Tell"), actor: Actor, slot: Slot, amount: Amount }),
  Schema.Struct({ _tag: Schema.Literal("Ask"), actor: Actor, slot: Slot }),
  Schema.Struct({ _tag: Schema.Literal("Stop"), actor: Actor, slot: Slot })
])

// Agent capabilities: alice runs the workers; bob may tell w-0 and w-1 and ask w-0; carol nothing.
const agentGrants: Record<string, ReadonlyArray<string>> = {
  alice: ["agent:spawn", "agent:stop:*", "agent:tell:*", "agent:ask:*"],
  bob: ["agent:tell:w-0", "agent:tell:w-1", "agent:ask:w-0"],
  carol: []
}
const may = (actor: string, capability: string) =>
  (agentGrants[actor] ?? []).some(
    (g) => g === capability || (g.endsWith(":*") && capability.startsWith(g.slice(0, -1)))
  )
const grants = Object.fromEntries(
  Agents.map((a) => [a, [`ledger:transfer:${a}`, `ledger:hold:${a}`, ...(agentGrants[a] ?? [])]])
)
const Secure = secureLayer({ authorization: { grants: { ...grants, bank: ["ledger:*", "agent:*"] } } }).pipe(
  Layer.orDie
)
const Services = Layer.mergeAll(
  Ledger.layer,
  Registry.layer,
  SecureAgents.layer.pipe(Layer.provide(AgentSystem.layer))
).pipe(
  Layer.provideMerge(Secure),
  Layer.provide(Layer.effect(Random.Random, Effect.service(Random.Random).pipe(Random.withSeed("secure-mode"))))
)

describe("secure mode", () => {
  it.effect.prop(
    "random legitimate and forged operations agree with the authority model",
    { ops: Schema.Array(Op).check(Schema.isMinLength(10), Schema.isMaxLength(40)) },
    ({ ops }) =>
      Effect.scoped(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          const registry = yield* Registry
          const agents = yield* AgentSystem
          const secure = yield* SecureMode
          const tokens = yield* Tokens
          const asBank = secure.actAs(yield* Effect.orDie(tokens.issue("bank")))
          // The workers by slot (their refs, and their count as the model sees it).
          const workers = new Map<number, { readonly ref: AgentRef<CounterMessage>; count: number }>()
          // w-0 and w-1 run from the start; w-2 and w-3 only once an op spawns them.
          for (const slot of [0, 1])
            workers.set(slot, {
              ref: yield* Effect.orDie(asBank(agents.spawn(Counter, { id: `w-${slot}` }))),
              count: 0
            })
          const act =
            (actor: string) =>
            <A, E, R>(e: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
              actor === "anonymous"
                ? e
                : actor === "forger"
                  ? secure.actAs("v1.0.eyJhZ2VudCI6ImFsaWNlIn0.forged")(e)
                  : Effect.flatMap(Effect.orDie(tokens.issue(actor)), (t) => secure.actAs(t)(e))
          yield* Effect.orDie(
            Effect.flatMap(tokens.issue("bank"), (t) =>
              secure.actAs(t)(
                Effect.forEach(Agents, (a) => Effect.andThen(ledger.open(a), ledger.mint({ account: a, amount: 100n })))
              )
            )
          )
          const model = new Map<string, { available: bigint; held: bigint }>(
            Agents.map((a) => [a, { available: 100n, held: 0n }])
          )
          const holds: Array<
            | { readonly id: string; readonly account: string; readonly amount: bigint; readonly owner: string }
            | undefined
          > = []
          const names = new Map<number, string>()
          const isAgent = (actor: string) => (Agents as ReadonlyArray<string>).includes(actor)

          for (const op of ops) {
            const snapshot = () => [...model].map(([a, b]) => `${a}:${b.available}/${b.held}`).join(",")
            const before = snapshot()
            const run = act(op.actor)
            switch (op._tag) {
              case "Transfer": {
                const result = yield* Effect.result(
                  run(ledger.transfer({ from: op.from, to: op.to, amount: BigInt(op.amount) }))
                )
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
                const result = yield* Effect.result(
                  run(ledger.hold({ account: op.account, amount: BigInt(op.amount) }))
                )
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
                const result = yield* Effect.result(
                  run(
                    op._tag === "Release"
                      ? ledger.release(hold.id)
                      : Effect.asVoid(ledger.capture({ hold: hold.id, to: op.to }))
                  )
                )
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
              case "Spawn": {
                const result = yield* Effect.result(run(agents.spawn(Counter, { id: `w-${op.slot}` })))
                const allowed = isAgent(op.actor) && may(op.actor, "agent:spawn")
                const ok = allowed && !workers.has(op.slot)
                assert.strictEqual(result._tag, ok ? "Success" : "Failure", JSON.stringify(op))
                if (!allowed) assert.strictEqual(result._tag === "Failure" && result.failure._tag, "Unauthorized")
                if (result._tag === "Success") workers.set(op.slot, { ref: result.success, count: 0 })
                break
              }
              case "Tell":
              case "Ask":
              case "Stop": {
                const worker = workers.get(op.slot)
                if (worker === undefined) break
                const verb = op._tag === "Tell" ? "tell" : op._tag === "Ask" ? "ask" : "stop"
                const allowed = isAgent(op.actor) && may(op.actor, `agent:${verb}:w-${op.slot}`)
                const result = yield* Effect.result(
                  run<void, { readonly _tag: string }, never>(
                    op._tag === "Tell"
                      ? worker.ref.tell(Increment.make({ by: op.amount }))
                      : op._tag === "Ask"
                        ? Effect.map(worker.ref.ask(Get.make({})), (count) => assert.strictEqual(count, worker.count))
                        : agents.stop(worker.ref as AgentRef<never>)
                  )
                )
                assert.strictEqual(result._tag, allowed ? "Success" : "Failure", JSON.stringify(op))
                if (!allowed) assert.strictEqual(result._tag === "Failure" && result.failure._tag, "Unauthorized")
                if (allowed && op._tag === "Tell") worker.count += op.amount
                if (allowed && op._tag === "Stop") workers.delete(op.slot)
                break
              }
            }
            if (!isAgent(op.actor))
              assert.strictEqual(snapshot(), before, "a forged or anonymous operation changed money")
            assert.strictEqual(agents.size(), workers.size)
            for (const worker of workers.values())
              assert.strictEqual(yield* asBank(worker.ref.ask(Get.make({}))), worker.count)
            for (const a of Agents) assert.deepStrictEqual(yield* ledger.balance(a), model.get(a))
            assert.strictEqual((yield* ledger.audit).supply, 300n)
          }
        }).pipe(Effect.provide(Services))
      ),
    { arbitrary: { runs: 40, seed: 29 } }
  )
})
