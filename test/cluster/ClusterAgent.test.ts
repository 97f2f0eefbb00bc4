import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { Sharding } from "effect/cluster"
import { AgentStateStore, ClusterAgent, StateStoreError } from "../../src/cluster/index.ts"
import {
  Boom,
  Counter as CounterDefinition,
  ClusterCounter,
  CounterState,
  Echo,
  eventually,
  Get,
  Ignore,
  Increment,
  Snapshot,
  testCluster,
  testSharding
} from "./fixtures.ts"

const Counter = ClusterCounter()
const withCounter = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(Effect.provide(Counter.layer.pipe(Layer.provideMerge(testCluster()))))

describe("ClusterAgent", () => {
  it.live("tell and ask reach the agent by id, with typed replies, and ids are independent", () =>
    Effect.gen(function* () {
      const counters = yield* Counter.client
      const a = counters("a")
      yield* a.tell(Increment.make({ by: 2 }))
      yield* a.tell(Increment.make({ by: 3 }))
      const n: number = yield* a.ask(Get.make({}))
      assert.strictEqual(n, 5)
      assert.deepStrictEqual(yield* a.ask(Snapshot.make({})), { count: 5, seen: ["Increment", "Increment"] })
      assert.strictEqual(yield* counters("b").ask(Get.make({})), 0)
      assert.strictEqual(a.id, "a")
      assert.strictEqual(a.kind, "counter")
    }).pipe(withCounter)
  )

  it.live("a failing handler answers AgentStopped and leaves the state as it was", () =>
    Effect.gen(function* () {
      const a = (yield* Counter.client)("a")
      yield* a.tell(Increment.make({ by: 1 }))
      const error = yield* Effect.flip(a.ask(Boom.make({})))
      assert.strictEqual(error._tag, "AgentStopped")
      assert.strictEqual(error.message, `agent "a" is not running (crashed)`)
      assert.strictEqual(yield* a.ask(Get.make({})), 1)
    }).pipe(withCounter)
  )

  it.live("a request the handler does not answer fails with NoReply", () =>
    Effect.gen(function* () {
      const a = (yield* Counter.client)("a")
      const error = yield* Effect.flip(a.ask(Ignore.make({})))
      assert.strictEqual(error._tag, "NoReply")
      assert.strictEqual(error.message, `agent "a" handled Ignore without replying`)
    }).pipe(withCounter)
  )

  it.live("a message its Schema rejects fails with InvalidInput before it is sent", () =>
    Effect.gen(function* () {
      const a = (yield* Counter.client)("a")
      const bad = { _tag: "Increment", by: "two" } as unknown as typeof Increment.Type
      const tell = yield* Effect.flip(a.tell(bad))
      assert.strictEqual(tell._tag, "InvalidInput")
      assert.match(tell.message, /^ClusterRef\.tell: invalid input: /)
      const ask = yield* Effect.flip(a.ask(bad))
      assert.strictEqual(ask._tag, "InvalidInput")
      assert.strictEqual(yield* a.ask(Get.make({})), 0)
    }).pipe(withCounter)
  )

  it.live("an agent reaches itself with self.tellUnsafe after its handler returns", () =>
    Effect.gen(function* () {
      const a = (yield* Counter.client)("a")
      yield* a.tell(Echo.make({ times: 9 }))
      yield* eventually(
        Effect.map(a.ask(Get.make({})), (n) => n === 10),
        "5 seconds"
      )
    }).pipe(withCounter)
  )

  it.live("the state is saved after each change, keyed by kind and id", () =>
    Effect.gen(function* () {
      const counters = yield* Counter.client
      yield* counters("x").tell(Increment.make({ by: 7 }))
      assert.strictEqual(yield* counters("x").ask(Get.make({})), 7)
      yield* counters("y").ask(Get.make({}))
      const store = yield* AgentStateStore.AgentStateStore
      // "y" never changed its initial state, so nothing was written for it.
      assert.strictEqual(yield* store.count("counter"), 1)
      const saved = yield* store.load("counter", "x")
      assert.deepStrictEqual(saved._tag === "Some" ? JSON.parse(saved.value) : undefined, {
        count: 7,
        seen: ["Increment"]
      })
    }).pipe(withCounter)
  )
})

describe("ClusterAgent failure paths and options", () => {
  // A store whose writes for agent "stuck" fail, as a full disk or a lost database would.
  const flakyStore = Layer.sync(AgentStateStore.AgentStateStore, () => {
    const memory = AgentStateStore.makeMemory()
    return {
      ...memory,
      save: (kind, id, state) =>
        id === "stuck"
          ? Effect.fail(new StateStoreError({ kind, agent: id, operation: "save", reason: "disk full" }))
          : memory.save(kind, id, state)
    }
  })

  it.live("a change whose state cannot be saved is dropped: the agent keeps its saved state", () =>
    Effect.gen(function* () {
      const counters = yield* Counter.client
      yield* counters("stuck").tell(Increment.make({ by: 5 }))
      assert.strictEqual(yield* counters("stuck").ask(Get.make({})), 0)
      yield* counters("fine").tell(Increment.make({ by: 5 }))
      assert.strictEqual(yield* counters("fine").ask(Get.make({})), 5)
    }).pipe(Effect.provide(Counter.layer.pipe(Layer.provideMerge(Layer.merge(testSharding(), flakyStore)))))
  )

  it.live("a persisted kind stores its messages in MessageStorage and answers as usual", () => {
    const Persisted = ClusterAgent.make(CounterDefinition, {
      state: CounterState,
      replies: {
        Get: Schema.Number,
        Snapshot: CounterState,
        Boom: Schema.Number,
        Ignore: Schema.Number,
        Slow: Schema.Number
      },
      kind: "persisted-counter",
      persisted: true
    })
    return Effect.gen(function* () {
      const counters = yield* Persisted.client
      yield* counters("p").tell(Increment.make({ by: 3 }))
      yield* counters("p").tell(Increment.make({ by: 4 }))
      assert.strictEqual(yield* counters("p").ask(Get.make({})), 7)
      assert.strictEqual((yield* Effect.flip(counters("p").ask(Boom.make({}))))._tag, "AgentStopped")
    }).pipe(Effect.provide(Persisted.layer.pipe(Layer.provideMerge(testCluster()))))
  })

  it.live("an ask that gets no answer in time fails with AskTimeout", () =>
    Effect.gen(function* () {
      const counters = yield* Counter.client
      const error = yield* Effect.flip(counters("a").ask(Get.make({}), { timeout: "0 millis" }))
      assert.strictEqual(error._tag, "AskTimeout")
    }).pipe(withCounter)
  )
})

describe("ClusterAgent virtual agents", () => {
  const Idle = ClusterCounter({ maxIdleTime: "500 millis" })
  it.live(
    "2k addressed agents passivate when idle and come back with their state",
    () =>
      Effect.gen(function* () {
        const sharding = yield* Sharding.Sharding
        const counters = yield* Idle.client
        const ids = Array.from({ length: 2_000 }, (_, i) => `agent-${i}`)
        yield* Effect.forEach(ids, (id, i) => counters(id).tell(Increment.make({ by: i })), {
          concurrency: 256,
          discard: true
        })
        assert.strictEqual(yield* counters("agent-1999").ask(Get.make({})), 1999)
        const store = yield* AgentStateStore.AgentStateStore
        yield* eventually(
          Effect.map(store.count("counter"), (n) => n === 2_000),
          "10 seconds"
        )
        // The idle reaper runs every 5 s at its finest; every agent leaves memory.
        yield* eventually(
          Effect.map(sharding.activeEntityCount, (n) => n === 0),
          "15 seconds"
        )
        const sample = [0, 1, 1024, 1998]
        const counts = yield* Effect.forEach(sample, (i) => counters(`agent-${i}`).ask(Get.make({})))
        assert.deepStrictEqual(counts, sample)
        assert.strictEqual(yield* sharding.activeEntityCount, sample.length)
      }).pipe(Effect.provide(Idle.layer.pipe(Layer.provideMerge(testCluster())))),
    { timeout: 40_000 }
  )

  it.live("past maxResidentEntities a tell to a new agent fails with MailboxFull", () =>
    Effect.gen(function* () {
      const counters = yield* Counter.client
      yield* Effect.forEach(["a", "b", "c"], (id) => counters(id).tell(Increment.make({ by: 1 })), { discard: true })
      const error = yield* Effect.flip(counters("d").tell(Increment.make({ by: 1 })))
      assert.strictEqual(error._tag, "MailboxFull")
      assert.strictEqual(yield* counters("a").ask(Get.make({})), 1)
    }).pipe(Effect.provide(Counter.layer.pipe(Layer.provideMerge(testCluster({ maxResidentEntities: 3 })))))
  )
})
