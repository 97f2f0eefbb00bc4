/** Trace propagation helpers, with a recording tracer (no exporter): what the kernel will call. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Metric, Random, Schema, Tracer } from "effect"
import { askDuration, handlerDuration, Propagation } from "../../src/telemetry/index.ts"
import { recording } from "./recording.ts"

describe("trace propagation", () => {
  it.effect("capture is undefined outside a span and the span's ids inside one", () => {
    const { tracer } = recording()
    return Effect.gen(function* () {
      assert.isUndefined(yield* Propagation.capture)
      const [captured, span] = yield* Effect.all([Propagation.capture, Effect.currentSpan]).pipe(
        Effect.withSpan("outer")
      )
      assert.deepStrictEqual(captured, { traceId: span.traceId, spanId: span.spanId, sampled: true })
      const fromContext = yield* Effect.map(Effect.context<never>(), Propagation.captureFrom).pipe(
        Effect.withSpan("again")
      )
      assert.isDefined(fromContext)
    }).pipe(Effect.withTracer(tracer))
  })

  it.effect("handleChild makes the handler a child of the sender's span, on another fiber too", () => {
    const { spans, tracer } = recording()
    return Effect.gen(function* () {
      const trace = yield* Propagation.capture.pipe(Effect.withSpan("ask"))
      yield* Effect.void.pipe(
        Propagation.handleChild(trace, { kind: "worker", id: "b", message: "Get" }),
        Effect.forkChild,
        Effect.flatMap(Fiber.join)
      )
      const ask = spans.find((s) => s.name === "ask")!
      const handle = spans.find((s) => s.name === "mabeam.agent.handle")!
      assert.strictEqual(handle.traceId, ask.traceId)
      assert.strictEqual(handle.parent._tag === "Some" ? handle.parent.value.spanId : "", ask.spanId)
      assert.strictEqual(handle.kind, "server")
      assert.strictEqual(handle.attributes.get("mabeam.agent"), "b")
      assert.strictEqual(handle.attributes.get("messaging.operation.name"), "Get")
    }).pipe(Effect.withTracer(tracer))
  })

  it.effect("handleLinked starts a new trace whose span links to the sender's", () => {
    const { spans, tracer } = recording()
    return Effect.gen(function* () {
      const trace = yield* Propagation.capture.pipe(Effect.withSpan("tell"))
      yield* Effect.void.pipe(
        Propagation.handleLinked(trace, { kind: "worker", id: "b" }),
        Effect.withSpan("unrelated-parent")
      )
      const tell = spans.find((s) => s.name === "tell")!
      const handle = spans.find((s) => s.name === "mabeam.agent.handle")!
      assert.notStrictEqual(handle.traceId, tell.traceId)
      assert.strictEqual(handle.parent._tag, "None")
      assert.deepStrictEqual(
        handle.links.map((l) => l.span.spanId),
        [tell.spanId]
      )
      assert.strictEqual(handle.kind, "consumer")
    }).pipe(Effect.withTracer(tracer))
  })

  it.effect("without a sampled trace the handler runs with no span, and its duration is still recorded", () => {
    const { spans, tracer } = recording()
    return Effect.gen(function* () {
      const before = (yield* Metric.value(Metric.withAttributes(handlerDuration, { "mabeam.agent.kind": "quiet" })))
        .count
      const unsampled = { traceId: "1".repeat(32), spanId: "2".repeat(16), sampled: false }
      assert.strictEqual(yield* Effect.succeed(1).pipe(Propagation.handleChild(undefined, { kind: "quiet" })), 1)
      assert.strictEqual(yield* Effect.succeed(2).pipe(Propagation.handleLinked(unsampled, { kind: "quiet" })), 2)
      assert.deepStrictEqual(spans, [])
      const after = (yield* Metric.value(Metric.withAttributes(handlerDuration, { "mabeam.agent.kind": "quiet" })))
        .count
      assert.strictEqual(after - before, 2)
    }).pipe(Effect.withTracer(tracer))
  })

  it.effect("a failing handler fails its span and keeps its error", () => {
    const { spans, tracer } = recording()
    return Effect.gen(function* () {
      const trace = yield* Propagation.capture.pipe(Effect.withSpan("ask"))
      const error = yield* Effect.flip(
        Effect.fail("nope").pipe(Propagation.handleChild(trace, { kind: "worker", id: "b" }))
      )
      assert.strictEqual(error, "nope")
      const handle = spans.find((s) => s.name === "mabeam.agent.handle")!
      assert.strictEqual(handle.status._tag === "Ended" && handle.status.exit._tag, "Failure")
    }).pipe(Effect.withTracer(tracer))
  })

  it.effect(
    "asking opens a client span inside a trace (the envelope captures it) and none outside; both are timed",
    () => {
      const { spans, tracer } = recording()
      return Effect.gen(function* () {
        const series = Metric.withAttributes(askDuration, { "mabeam.agent.kind": "counter" })
        const before = (yield* Metric.value(series)).count
        const target = { kind: "counter", id: "c1", message: "Get" }
        const [outer, captured] = yield* Effect.all([
          Effect.currentSpan,
          Propagation.capture.pipe(Propagation.asking(target))
        ]).pipe(Effect.withSpan("caller"))
        const ask = spans.find((s) => s.name === "mabeam.agent.ask")!
        assert.strictEqual(ask.kind, "client")
        assert.strictEqual(ask.parent._tag === "Some" ? ask.parent.value.spanId : "", outer.spanId)
        assert.strictEqual(captured?.spanId, ask.spanId)
        assert.strictEqual(ask.attributes.get("messaging.destination.name"), "c1")
        const untraced = yield* Propagation.capture.pipe(Propagation.asking(target))
        assert.isUndefined(untraced)
        assert.strictEqual(spans.filter((s) => s.name === "mabeam.agent.ask").length, 1)
        assert.strictEqual((yield* Metric.value(series)).count - before, 2)
      }).pipe(Effect.withTracer(tracer))
    }
  )

  it.effect("traceparent round-trips every valid trace context (200 seeded ones)", () =>
    Effect.gen(function* () {
      const hex = (n: number) =>
        Effect.map(Effect.all(Array.from({ length: n }, () => Random.nextIntBetween(0, 15))), (ds) => {
          const s = ds.map((d) => d.toString(16)).join("")
          return /^0+$/.test(s) ? "1" + s.slice(1) : s
        })
      for (let i = 0; i < 200; i++) {
        const trace = { traceId: yield* hex(32), spanId: yield* hex(16), sampled: (yield* Random.nextInt) % 2 === 0 }
        assert.deepStrictEqual(Propagation.fromTraceparent(Propagation.toTraceparent(trace)), trace)
      }
    }).pipe(Random.withSeed(27))
  )

  it("a malformed or all-zero traceparent is ignored, never an error", () => {
    for (const bad of [
      undefined,
      "",
      "garbage",
      "01-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01",
      "00-" + "0".repeat(32) + "-" + "b".repeat(16) + "-01",
      "00-" + "a".repeat(32) + "-" + "0".repeat(16) + "-01",
      "00-" + "A".repeat(32) + "-" + "b".repeat(16) + "-01",
      "00-" + "a".repeat(31) + "-" + "b".repeat(16) + "-01"
    ])
      assert.isUndefined(Propagation.fromTraceparent(bad), String(bad))
    assert.deepStrictEqual(Propagation.fromTraceparent("00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-00"), {
      traceId: "a".repeat(32),
      spanId: "b".repeat(16),
      sampled: false
    })
  })

  it.effect("an envelope's trace context decodes with the schema; bad ids are rejected", () =>
    Effect.gen(function* () {
      const bad = yield* Effect.flip(
        Schema.decodeUnknownEffect(Propagation.TraceContext)({ traceId: "xyz", spanId: "1".repeat(16), sampled: true })
      )
      assert.include(bad.message, "32 lower-case hex digits")
    })
  )
})
