import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Option, Scope, Stream } from "effect"
import { Registry } from "../../src/registry/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"
import { eventually, Get, Increment, Slow } from "./fixtures.ts"
import { freePort, LoopbackCounter, ownerOf, startRunner } from "./runner-layer.ts"

const Counter = LoopbackCounter

/** Two runners on 127.0.0.1 sharing one SQLite database, once both hold shards. */
const twoRunners = (ids: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* Layer.build(SqliteClient.layer({ filename: ":memory:" }))
    const a = yield* startRunner(sql, yield* freePort)
    const b = yield* startRunner(sql, yield* freePort)
    yield* eventually(
      Effect.sync(() => {
        const owners = ids.map((id) => ownerOf([a.sharding, b.sharding], id))
        return owners.includes(0) && owners.includes(1) && !owners.includes(-1)
      }),
      "20 seconds"
    )
    return { a, b }
  })

describe("two runners over loopback sharing SQLite", () => {
  it.live(
    "a registry namespace held by one runner is shared, with its change stream, by the other",
    () =>
      Effect.gen(function* () {
        const namespaces = Array.from({ length: 16 }, (_, i) => `ns-${i}`)
        const { a, b } = yield* twoRunners(namespaces.map((ns) => `default/${ns}`))
        // A namespace held by runner b, used from runner a: every call and the change stream cross runners.
        const namespace = namespaces.find((ns) => ownerOf([a.sharding, b.sharding], `default/${ns}`) === 1) ?? "ns-0"
        const onA = yield* Effect.provideContext(Registry.make({ namespace }), a.context)
        const onB = yield* Effect.provideContext(Registry.make({ namespace }), b.context)
        const changes = yield* onA.subscribe
        const entry = yield* onA.register("planner", { node: "a" }, { capabilities: ["plan"] })
        assert.deepStrictEqual(yield* onB.lookup("planner"), Option.some(entry))
        assert.deepStrictEqual(yield* onA.lookup("planner"), Option.some(entry))
        assert.deepStrictEqual(yield* onB.select({ capabilities: "plan" }), [entry])
        const [first] = yield* Stream.runCollect(Stream.take(changes, 1)).pipe(Effect.timeout("5 seconds"))
        assert.deepStrictEqual(first, { _tag: "Registered", entry })
      }),
    { timeout: 30_000 }
  )

  it.live(
    "a message reaches an agent on the other runner; when that runner stops, its agents move with their state",
    () =>
      Effect.gen(function* () {
        const ids = Array.from({ length: 64 }, (_, i) => `agent-${i}`)
        const { a, b } = yield* twoRunners(ids)
        const onB = ids.filter((id) => ownerOf([a.sharding, b.sharding], id) === 1)
        const fromA = yield* Effect.provideContext(Counter.client, a.context)
        yield* Effect.forEach(onB, (id, i) => fromA(id).tell(Increment.make({ by: i + 1 })), { discard: true })
        const before = yield* Effect.forEach(onB, (id) => fromA(id).ask(Get.make({})))
        assert.deepStrictEqual(
          before,
          onB.map((_, i) => i + 1)
        )
        assert.isTrue((yield* b.sharding.activeEntityCount) >= onB.length)

        yield* Scope.close(b.scope, Exit.void)
        yield* eventually(
          Effect.sync(() => onB.every((id) => ownerOf([a.sharding], id) === 0)),
          "20 seconds"
        )
        const after = yield* Effect.forEach(onB, (id) => fromA(id).ask(Get.make({})))
        assert.deepStrictEqual(after, before)
      }),
    { timeout: 45_000 }
  )

  it.live(
    "an ask in flight when its runner stops ends with its reply or a typed AgentStopped, never an interrupt",
    () =>
      Effect.gen(function* () {
        const ids = Array.from({ length: 32 }, (_, i) => `agent-${i}`)
        const { a, b } = yield* twoRunners(ids)
        const id = ids.find((id) => ownerOf([a.sharding, b.sharding], id) === 1) ?? "agent-0"
        const fromA = yield* Effect.provideContext(Counter.client, a.context)
        yield* fromA(id).tell(Increment.make({ by: 7 }))
        const inFlight = yield* Effect.forkChild(
          Effect.result(fromA(id).ask(Slow.make({ millis: 3000 }), { timeout: "20 seconds" }))
        )
        yield* Effect.sleep("300 millis")
        yield* Scope.close(b.scope, Exit.void)
        // An interrupt here would fail the test: Effect.result keeps typed errors only.
        const outcome = yield* Fiber.join(inFlight)
        yield* Effect.log(`in-flight ask at runner stop: ${JSON.stringify(outcome)}`)
        if (outcome._tag === "Success") assert.strictEqual(outcome.success, 7)
        else assert.deepInclude(outcome.failure, { _tag: "AgentStopped", reason: "runner-unavailable" })
      }),
    { timeout: 45_000 }
  )
})
