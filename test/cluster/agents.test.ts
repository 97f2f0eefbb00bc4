/**
 * Location transparency, as an example: one program (a caller of counters by id) runs unchanged on
 * agents of the local `AgentSystem` and on virtual agents of the cluster; only the layer differs.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { Agents } from "../../src/cluster/index.ts"
import { Boom, ClusterCounter, Counter, Get, Increment, testCluster } from "./fixtures.ts"

const Counters = Agents.key<typeof Counter.messages.Type>("counters")

/** The caller: it knows counters by id and nothing of where they run. */
const program = Effect.gen(function* () {
  const counters = yield* Counters
  const a = yield* counters.ref("a")
  yield* a.tell(Increment.make({ by: 2 }))
  yield* a.tell(Increment.make({ by: 3 }))
  const total = yield* a.ask(Get.make({}))
  const other = yield* (yield* counters.ref("b")).ask(Get.make({}))
  const failed = yield* Effect.flip(a.ask(Boom.make({})))
  const again = yield* counters.ref("a")
  const counts = yield* again.counts
  return { total, other, failed: failed._tag, handled: counts.handled, id: again.id }
})

const expected = { total: 5, other: 0, failed: "AgentStopped", handled: 4, id: "a" }

describe("Agents: one ref interface for local and cluster agents", () => {
  it.live("the program runs on the local AgentSystem", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* program, expected)
    }).pipe(Effect.provide(Agents.local(Counters, Counter).pipe(Layer.provide(AgentSystem.layer))))
  )

  it.live("the same program runs on cluster agents, with a layer change only", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* program, expected)
    }).pipe(
      Effect.provide(
        Agents.cluster(Counters, ClusterCounter()).pipe(
          Layer.provideMerge(ClusterCounter().layer),
          Layer.provide(testCluster())
        )
      )
    )
  )

  it.live("a local directory spawns one agent per id, even for two first uses at once", () =>
    Effect.gen(function* () {
      const counters = yield* Counters
      const [x, y] = yield* Effect.all([counters.ref("same"), counters.ref("same")], { concurrency: 2 })
      yield* x.tell(Increment.make({ by: 1 }))
      assert.strictEqual(yield* y.ask(Get.make({})), 1)
      const counts = yield* y.counts
      assert.strictEqual(counts.mailbox, 0)
    }).pipe(Effect.provide(Agents.local(Counters, Counter).pipe(Layer.provide(AgentSystem.layer))))
  )
})
