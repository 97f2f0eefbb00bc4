import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Schema, Scope } from "effect"
import { AgentStateStore, ClusterAgent } from "../../src/cluster/index.ts"
import { Counter, CounterState, eventually, Get, Increment, testSharding } from "./fixtures.ts"

const replies = {
  Get: Schema.Number,
  Snapshot: CounterState,
  Boom: Schema.Number,
  Ignore: Schema.Number,
  Slow: Schema.Number
}
const deploy = (kind: string, persist: ClusterAgent.PersistPolicy) =>
  ClusterAgent.make(Counter, { state: CounterState, replies, kind, persist })

const savedCount = (kind: string, id: string) =>
  Effect.gen(function* () {
    const store = yield* AgentStateStore.AgentStateStore
    return Option.map(yield* store.load(kind, id), (json) => (JSON.parse(json) as CounterState).count)
  })

/** Runs `body` on a one-process runner in its own scope, then stops the runner gracefully. */
type Deployed = ReturnType<typeof deploy>
const onRunner = <A, E>(
  agent: Deployed,
  body: (refs: Effect.Success<Deployed["client"]>) => Effect.Effect<A, E, AgentStateStore.AgentStateStore>
) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(agent.layer.pipe(Layer.provideMerge(testSharding())), scope)
    const refs = yield* Effect.provideContext(agent.client, context)
    const result = yield* body(refs)
    yield* Scope.close(scope, Exit.void)
    return result
  })

describe("persistence policies", () => {
  it.live(
    "every 3 changes: nothing is written before the 3rd change, the 3rd is written before its reply, a graceful stop writes the rest",
    () => {
      const Every = deploy("every-3", { every: 3 })
      return Effect.gen(function* () {
        yield* onRunner(Every, (refs) =>
          Effect.gen(function* () {
            const a = refs("a")
            yield* a.tell(Increment.make({ by: 1 }))
            yield* a.tell(Increment.make({ by: 1 }))
            assert.strictEqual(yield* a.ask(Get.make({})), 2)
            assert.isTrue(Option.isNone(yield* savedCount("every-3", "a")))
            yield* a.tell(Increment.make({ by: 1 }))
            assert.strictEqual(yield* a.ask(Get.make({})), 3)
            assert.deepStrictEqual(yield* savedCount("every-3", "a"), Option.some(3))
            yield* a.tell(Increment.make({ by: 10 }))
            assert.strictEqual(yield* a.ask(Get.make({})), 13)
            assert.deepStrictEqual(yield* savedCount("every-3", "a"), Option.some(3))
          })
        )
        assert.deepStrictEqual(yield* savedCount("every-3", "a"), Option.some(13))
      }).pipe(Effect.provide(AgentStateStore.layerMemory))
    }
  )

  it.live("every 1000 changes or 100 ms: an unsaved change is written within the interval", () => {
    const Within = deploy("within", { every: 1000, within: "100 millis" })
    return Effect.gen(function* () {
      yield* onRunner(Within, (refs) =>
        Effect.gen(function* () {
          yield* refs("w").tell(Increment.make({ by: 4 }))
          assert.strictEqual(yield* refs("w").ask(Get.make({})), 4)
          yield* eventually(
            Effect.map(savedCount("within", "w"), (n) => Option.getOrUndefined(n) === 4),
            "5 seconds"
          )
        })
      )
    }).pipe(Effect.provide(AgentStateStore.layerMemory))
  })

  it.live("on-passivate: nothing is written while the agent is resident, everything when its runner stops", () => {
    const Passivate = deploy("passivate", "on-passivate")
    return Effect.gen(function* () {
      yield* onRunner(Passivate, (refs) =>
        Effect.gen(function* () {
          yield* Effect.forEach(["p", "q"], (id) => refs(id).tell(Increment.make({ by: 5 })), { discard: true })
          assert.strictEqual(yield* refs("p").ask(Get.make({})), 5)
          assert.strictEqual(yield* refs("q").ask(Get.make({})), 5)
          assert.isTrue(Option.isNone(yield* savedCount("passivate", "p")))
        })
      )
      assert.deepStrictEqual(yield* savedCount("passivate", "p"), Option.some(5))
      assert.deepStrictEqual(yield* savedCount("passivate", "q"), Option.some(5))
    }).pipe(Effect.provide(AgentStateStore.layerMemory))
  })

  it("an invalid policy is refused with InvalidInput", () => {
    for (const persist of [
      { every: 0 },
      { every: 1.5 },
      { every: 2, within: "0 millis" as const },
      "sometimes" as never
    ]) {
      assert.throws(() => deploy("bad", persist), /ClusterAgent\.make: invalid input: persist/)
    }
  })
})
