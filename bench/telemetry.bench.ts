/**
 * The cost of tracing, each case beside its untraced baseline in the same run.
 *
 * - ask: `ref.ask` under the sender's hook `Propagation.asking` — outside any trace (only the
 *   duration histogram), and inside one (a client span per ask) with Effect's native tracer and
 *   with the OpenTelemetry tracer mabeam exports with, feeding a batch processor whose exporter
 *   discards.
 * - handler: one handler run under the kernel's hooks (`Propagation.handleChild` /
 *   `handleLinked`): off (no trace context: only the duration histogram), sampled with each
 *   tracer, and an unsampled context.
 *
 * The handler-side cost inside the real agent loop is not measured here: the kernel does not call
 * the hooks yet. One handler run here is the same wrap the kernel will apply.
 */
import * as OtelTracer from "@effect/opentelemetry/OtelTracer"
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node"
import { Context, Effect, Layer, Schema, Scope, type Tracer } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../src/agent/index.ts"
import { makeResource, Propagation } from "../src/telemetry/index.ts"
import { wallClockTracer } from "../src/telemetry/internal/wallclock.ts"
import { defineBench } from "./lib/index.ts"

const Count = Agent.request("Count", {}, Schema.Number)
const Sink = Agent.make({
  name: "sink",
  messages: Count,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    ctx.reply(msg, n)
    return n + 1
  }
})
const count = Count.make({})

const ASKS = 1_000
const HANDLES = 10_000

// An exporter that accepts and discards: the cost measured is mabeam's and the SDK's, not a network's.
const discard: SpanExporter = {
  export: (_spans: Array<ReadableSpan>, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve()
}
const provider = new NodeTracerProvider({
  resource: makeResource({ serviceName: "bench", serviceInstanceId: "bench" }),
  spanProcessors: [new BatchSpanProcessor(discard, { maxQueueSize: 65_536, maxExportBatchSize: 4_096, scheduledDelayMillis: 200 })]
})
const otelTracer: Tracer.Tracer = wallClockTracer(Effect.runSync(
  OtelTracer.make.pipe(Effect.provideService(OtelTracer.OtelTracer, provider.getTracer("bench")))
))

const scope = Scope.makeUnsafe()
let sink: AgentRef<typeof Count.Type>
const setup = async () => {
  const context = await Effect.runPromise(Layer.buildWithScope(AgentSystem.layer, scope))
  sink = await Effect.runPromise(Context.get(context, AgentSystem).spawn(Sink))
}

const target = { kind: "sink", id: "sink-1", message: "Count" }
// Inside a sampled trace (a caller's span around the batch), so `asking` opens its client span.
const asks = (traced: boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < ASKS; i++) {
      yield* traced ? sink.ask(count).pipe(Propagation.asking(target)) : sink.ask(count)
    }
  })

const handler = Effect.succeed(1)
const sampled = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true }
const unsampled = { ...sampled, sampled: false }
const handles = (wrap: (effect: Effect.Effect<number>) => Effect.Effect<number>) =>
  Effect.gen(function*() {
    for (let i = 0; i < HANDLES; i++) yield* wrap(handler)
  })
const info = { kind: "sink", id: "sink-1", message: "Count" }

export default defineBench("telemetry", [
  {
    group: "ask round trip, sender hook",
    setup,
    baseline: { name: "ref.ask, no span", ops: ASKS, fn: () => Effect.runPromise(asks(false)) },
    cases: [
      {
        name: "ref.ask under Propagation.asking, no trace (duration histogram only)",
        ops: ASKS,
        fn: () => Effect.runPromise(asks(true))
      },
      {
        name: "ref.ask under Propagation.asking in a trace (native tracer)",
        ops: ASKS,
        fn: () => Effect.runPromise(asks(true).pipe(Effect.withSpan("caller")))
      },
      {
        name: "ref.ask under Propagation.asking in a trace (OpenTelemetry tracer, batch export)",
        ops: ASKS,
        fn: () => Effect.runPromise(asks(true).pipe(Effect.withSpan("caller"), Effect.withTracer(otelTracer)))
      }
    ]
  },
  {
    group: "one handler run under the kernel's propagation hook",
    baseline: { name: "handler alone", ops: HANDLES, fn: () => Effect.runPromise(handles((e) => e)) },
    cases: [
      {
        name: "handleChild, no trace context (tracing off: duration histogram only)",
        ops: HANDLES,
        fn: () => Effect.runPromise(handles(Propagation.handleChild(undefined, info)))
      },
      {
        name: "handleChild, unsampled context",
        ops: HANDLES,
        fn: () => Effect.runPromise(handles(Propagation.handleChild(unsampled, info)))
      },
      {
        name: "handleChild, sampled (native tracer)",
        ops: HANDLES,
        fn: () => Effect.runPromise(handles(Propagation.handleChild(sampled, info)))
      },
      {
        name: "handleChild, sampled (OpenTelemetry tracer, batch export)",
        ops: HANDLES,
        fn: () => Effect.runPromise(handles(Propagation.handleChild(sampled, info)).pipe(Effect.withTracer(otelTracer)))
      },
      {
        name: "handleLinked, sampled (OpenTelemetry tracer, batch export)",
        ops: HANDLES,
        fn: () => Effect.runPromise(handles(Propagation.handleLinked(sampled, info)).pipe(Effect.withTracer(otelTracer)))
      }
    ]
  }
])
