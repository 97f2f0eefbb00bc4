/**
 * The cost of tracing, each case beside its untraced baseline in the same run.
 *
 * - ask: `ref.ask` through the agent kernel, which wires the hooks itself — outside any span (the
 *   kernel's untraced path: no hook, no histogram), inside an unsampled span (the hooks record
 *   the ask and handler durations, no span), and inside a sampled one (a client span per ask and
 *   the handler's child span) with Effect's native tracer and with the OpenTelemetry tracer
 *   mabeam exports with, feeding a batch processor whose exporter discards.
 * - tell: `ref.tellUnsafe` then one ask, outside any span and inside a sampled one (each told
 *   message carries the span; its handler runs in a linked span).
 * - handler: one handler run under the kernel's hooks alone (`Propagation.handleChild` /
 *   `handleLinked`): no trace context (only the duration histogram), sampled with each tracer,
 *   and an unsampled context. The kernel applies them only to messages that carry a trace.
 * - service spans: `Ledger.transfer` and `Registry.lookup`, whose spans (`traced`, opened only
 *   inside a sampled span) cost a context read outside any trace, and a span each inside one.
 * - `whenTracing` alone (the wrapper of a cluster agent's activation and passivation and of a
 *   Raft commit): a fiber-cache read with no tracer installed, a root span each with one.
 */
import * as OtelTracer from "@effect/opentelemetry/OtelTracer"
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node"
import { Context, Effect, Layer, Schema, Scope, Tracer } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../src/agent/index.ts"
import { Ledger } from "../src/economics/ledger/index.ts"
import { Registry } from "../src/registry/index.ts"
import { makeResource, Propagation, traced, whenTracing } from "../src/telemetry/index.ts"
import { wallClockTracer } from "../src/telemetry/internal/wallclock.ts"
import { defineBench } from "./lib/index.ts"

const Count = Agent.request("Count", {}, Schema.Number)
const Bump = Agent.message("Bump", {})
const SinkMessage = Schema.Union([Count, Bump])
const Sink = Agent.make({
  name: "sink",
  messages: SinkMessage,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Count") ctx.reply(msg, n)
    return n + 1
  }
})
const count = Count.make({})
const bump = Bump.make({})
const TELLS = 1_000

const ASKS = 1_000
const HANDLES = 10_000

// An exporter that accepts and discards: the cost measured is mabeam's and the SDK's, not a network's.
const discard: SpanExporter = {
  export: (_spans: Array<ReadableSpan>, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve()
}
const provider = new NodeTracerProvider({
  resource: makeResource({ serviceName: "bench", serviceInstanceId: "bench" }),
  spanProcessors: [
    new BatchSpanProcessor(discard, { maxQueueSize: 65_536, maxExportBatchSize: 4_096, scheduledDelayMillis: 200 })
  ]
})
const otelTracer: Tracer.Tracer = wallClockTracer(
  Effect.runSync(OtelTracer.make.pipe(Effect.provideService(OtelTracer.OtelTracer, provider.getTracer("bench"))))
)

const scope = Scope.makeUnsafe()
let sink: AgentRef<typeof SinkMessage.Type>
const setup = async () => {
  const context = await Effect.runPromise(Layer.buildWithScope(AgentSystem.layer, scope))
  sink = await Effect.runPromise(Context.get(context, AgentSystem).spawn(Sink))
}

// The kernel decides: outside any span it runs the ask bare; inside one, under the hooks.
const asks = Effect.gen(function* () {
  for (let i = 0; i < ASKS; i++) yield* sink.ask(count)
})
const tells = Effect.gen(function* () {
  for (let i = 0; i < TELLS; i++) sink.tellUnsafe(bump)
  yield* sink.ask(count)
})

const handler = Effect.succeed(1)
const sampled = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", sampled: true }
const unsampled = { ...sampled, sampled: false }
const handles = (wrap: (effect: Effect.Effect<number>) => Effect.Effect<number>) =>
  Effect.gen(function* () {
    for (let i = 0; i < HANDLES; i++) yield* wrap(handler)
  })
const info = { kind: "sink", id: "sink-1", message: "Count" }

const CALLS = 1_000
let ledger: Ledger["Service"]
let registry: Registry["Service"]
const setupServices = async () => {
  const context = await Effect.runPromise(Layer.buildWithScope(Layer.mergeAll(Ledger.layer, Registry.layer), scope))
  ledger = Context.get(context, Ledger)
  registry = Context.get(context, Registry)
  await Effect.runPromise(
    Effect.gen(function* () {
      yield* ledger.open("from")
      yield* ledger.open("to")
      yield* ledger.mint({ account: "from", amount: 1_000_000_000_000n })
      yield* registry.registerDurable("planner-1", { node: "local", id: "agent-1" })
    })
  )
}
const transfers = Effect.gen(function* () {
  for (let i = 0; i < CALLS; i++) yield* ledger.transfer({ from: "from", to: "to", amount: 1n })
})
const lookups = Effect.gen(function* () {
  for (let i = 0; i < CALLS; i++) yield* registry.lookup("planner-1")
})

// The wrapper alone, on an operation that does nothing: what `traced` adds to any service call.
interface Noop {
  readonly op: (key: string) => Effect.Effect<number>
}
const raw: Noop = { op: () => Effect.succeed(1) }
const withinTrace = traced<Noop>("bench", ["op"], { withinTrace: true })(raw)
const always = traced<Noop>("bench", ["op"])(raw)
const activations = (wrap: (effect: Effect.Effect<number>) => Effect.Effect<number>) =>
  Effect.gen(function* () {
    for (let i = 0; i < HANDLES; i++) yield* wrap(handler)
  })
const activationSpan = whenTracing(
  "mabeam.cluster.activate",
  { "mabeam.agent.kind": "k", "mabeam.agent.id": "a" },
  {
    root: true
  }
)
const calls = (service: Noop) =>
  Effect.gen(function* () {
    for (let i = 0; i < HANDLES; i++) yield* service.op("k")
  })

export default defineBench("telemetry", [
  {
    group: "ask round trip through the kernel",
    setup,
    baseline: { name: "ref.ask, no span (untraced path)", ops: ASKS, fn: () => Effect.runPromise(asks) },
    cases: [
      {
        name: "ref.ask in an unsampled span (duration histograms only)",
        ops: ASKS,
        fn: () => Effect.runPromise(asks.pipe(Effect.withSpan("caller", { sampled: false })))
      },
      {
        name: "ref.ask in a sampled trace (native tracer: client + handler span)",
        ops: ASKS,
        fn: () => Effect.runPromise(asks.pipe(Effect.withSpan("caller")))
      },
      {
        name: "ref.ask in a sampled trace (OpenTelemetry tracer, batch export)",
        ops: ASKS,
        fn: () => Effect.runPromise(asks.pipe(Effect.withSpan("caller"), Effect.withTracer(otelTracer)))
      }
    ]
  },
  {
    group: "tell through the kernel (tellUnsafe x1000, then one ask)",
    baseline: { name: "ref.tellUnsafe, no span (untraced path)", ops: TELLS, fn: () => Effect.runPromise(tells) },
    cases: [
      {
        name: "ref.tellUnsafe in a sampled trace (OpenTelemetry tracer: a linked span per message)",
        ops: TELLS,
        fn: () => Effect.runPromise(tells.pipe(Effect.withSpan("caller"), Effect.withTracer(otelTracer)))
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
        fn: () =>
          Effect.runPromise(handles(Propagation.handleLinked(sampled, info)).pipe(Effect.withTracer(otelTracer)))
      }
    ]
  },
  {
    group: "service spans: Ledger.transfer",
    setup: setupServices,
    baseline: { name: "transfer, no span (one context read)", ops: CALLS, fn: () => Effect.runPromise(transfers) },
    cases: [
      {
        name: "transfer in an unsampled span (no span opened)",
        ops: CALLS,
        fn: () => Effect.runPromise(transfers.pipe(Effect.withSpan("caller", { sampled: false })))
      },
      {
        name: "transfer in a sampled trace (native tracer: a span each)",
        ops: CALLS,
        fn: () => Effect.runPromise(transfers.pipe(Effect.withSpan("caller")))
      },
      {
        name: "transfer in a sampled trace (OpenTelemetry tracer, batch export)",
        ops: CALLS,
        fn: () => Effect.runPromise(transfers.pipe(Effect.withSpan("caller"), Effect.withTracer(otelTracer)))
      }
    ]
  },
  {
    group: "service spans: Registry.lookup",
    baseline: { name: "lookup, no span (one context read)", ops: CALLS, fn: () => Effect.runPromise(lookups) },
    cases: [
      {
        name: "lookup in a sampled trace (native tracer: a span each)",
        ops: CALLS,
        fn: () => Effect.runPromise(lookups.pipe(Effect.withSpan("caller")))
      },
      {
        name: "lookup in a sampled trace (OpenTelemetry tracer, batch export)",
        ops: CALLS,
        fn: () => Effect.runPromise(lookups.pipe(Effect.withSpan("caller"), Effect.withTracer(otelTracer)))
      }
    ]
  },
  {
    group: "the traced wrapper alone (an operation that does nothing)",
    baseline: { name: "unwrapped operation", ops: HANDLES, fn: () => Effect.runPromise(calls(raw)) },
    cases: [
      {
        name: "traced, withinTrace, outside any span (context read only)",
        ops: HANDLES,
        fn: () => Effect.runPromise(calls(withinTrace))
      },
      {
        name: "traced, always: a native span per call outside any trace",
        ops: HANDLES,
        fn: () => Effect.runPromise(calls(always))
      },
      {
        name: "traced, withinTrace, in a sampled trace (native tracer)",
        ops: HANDLES,
        fn: () => Effect.runPromise(calls(withinTrace).pipe(Effect.withSpan("caller")))
      }
    ]
  },
  {
    group: "whenTracing alone (cluster activation/passivation, Raft commit spans)",
    baseline: { name: "unwrapped effect", ops: HANDLES, fn: () => Effect.runPromise(activations((e) => e)) },
    cases: [
      {
        name: "whenTracing, no tracer installed (no span)",
        ops: HANDLES,
        fn: () => Effect.runPromise(activations(activationSpan))
      },
      {
        name: "whenTracing, native tracer installed (a root span each)",
        ops: HANDLES,
        fn: () =>
          Effect.runPromise(
            activations(activationSpan).pipe(Effect.withTracer(Tracer.make({ span: (o) => new Tracer.NativeSpan(o) })))
          )
      },
      {
        name: "whenTracing, OpenTelemetry tracer (a root span each, batch export)",
        ops: HANDLES,
        fn: () => Effect.runPromise(activations(activationSpan).pipe(Effect.withTracer(otelTracer)))
      }
    ]
  }
])
