/**
 * A cluster agent's activation and passivation are spans of their own: no request owns them (the
 * first message merely finds the id inactive; passivation happens when the runner lets it go),
 * so each is a root span, opened only when a tracer is installed.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Schema, Scope, type Tracer } from "effect"
import { AgentStateStore, ClusterAgent } from "../../src/cluster/index.ts"
import { Counter, CounterState, Get, Increment, testSharding } from "../cluster/fixtures.ts"
import { whenTracing } from "../../src/telemetry/index.ts"
import { recording } from "./recording.ts"

const replies = {
  Get: Schema.Number,
  Snapshot: CounterState,
  Boom: Schema.Number,
  Ignore: Schema.Number,
  Slow: Schema.Number
}
const Traced = ClusterAgent.make(Counter, { state: CounterState, replies, kind: "traced", persist: "on-passivate" })

/** Tells `t` twice and asks it once inside a request span on a runner that then stops. */
const session = Effect.gen(function* () {
  const scope = yield* Scope.make()
  const context = yield* Layer.buildWithScope(Traced.layer.pipe(Layer.provideMerge(testSharding())), scope)
  const refs = yield* Effect.provideContext(Traced.client, context)
  const request = yield* Effect.gen(function* () {
    yield* refs("t").tell(Increment.make({ by: 1 }))
    yield* refs("t").tell(Increment.make({ by: 2 }))
    assert.strictEqual(yield* refs("t").ask(Get.make({})), 3)
    return yield* Effect.currentSpan
  }).pipe(Effect.withSpan("client.request"))
  yield* Scope.close(scope, Exit.void)
  const store = yield* AgentStateStore.AgentStateStore
  const saved = yield* store.load("traced", "t")
  return { request, saved }
}).pipe(Effect.provide(AgentStateStore.layerMemory))

const attributesOf = (span: Tracer.NativeSpan) => Object.fromEntries(span.attributes)

describe("cluster activation and passivation spans", () => {
  it.live("each is one ended root span naming the agent; the passivation span counts the messages handled", () =>
    Effect.gen(function* () {
      const { spans, tracer } = recording()
      const { request, saved } = yield* Effect.withTracer(session, tracer)
      assert.isTrue(Option.isSome(saved), "the agent's state was saved on passivation")
      const named = (name: string) => spans.filter((s) => s.name === name)
      const [activate] = named("mabeam.cluster.activate")
      const [passivate] = named("mabeam.cluster.passivate")
      assert.strictEqual(named("mabeam.cluster.activate").length, 1)
      assert.strictEqual(named("mabeam.cluster.passivate").length, 1)
      for (const span of [activate!, passivate!]) {
        assert.isTrue(Option.isNone(span.parent), `${span.name} is a root span`)
        assert.notStrictEqual(span.traceId, request.traceId, `${span.name} is not in the request's trace`)
        assert.strictEqual(span.status._tag, "Ended")
        assert.strictEqual(attributesOf(span)["mabeam.agent.kind"], "traced")
        assert.strictEqual(attributesOf(span)["mabeam.agent.id"], "t")
      }
      assert.strictEqual(attributesOf(passivate!)["mabeam.agent.handled"], 3)
    })
  )

  it.effect("whenTracing opens no span without a tracer installed, and a root span with one", () =>
    Effect.gen(function* () {
      const inner = Effect.option(Effect.currentSpan).pipe(whenTracing("probe", { k: 1 }, { root: true }))
      assert.isTrue(Option.isNone(yield* inner), "no tracer: the effect runs outside any span")
      const { spans, tracer } = recording()
      const outer = yield* Effect.withTracer(
        Effect.gen(function* () {
          const parent = yield* Effect.currentSpan
          const seen = yield* inner
          return { parent, seen }
        }).pipe(Effect.withSpan("outer")),
        tracer
      )
      assert.strictEqual(Option.getOrThrow(outer.seen).name, "probe")
      assert.notStrictEqual(Option.getOrThrow(outer.seen).traceId, outer.parent.traceId, "root: a trace of its own")
      assert.deepStrictEqual(
        spans.map((s) => s.name),
        ["outer", "probe"]
      )
    })
  )
})
