/**
 * Trace propagation between agents and nodes: the sender captures its current span as a small
 * serialisable `TraceContext` that travels in the message envelope; the receiver runs the handler
 * as a child span of it (an `ask`: the caller waits, so the handler is part of its request) or as
 * a new trace linked to it (a `tell`: fire-and-forget, the handler outlives the sender's span).
 * The W3C `traceparent` form carries the same value in a header or a string field.
 *
 * The hook the agent kernel calls:
 * - around an `ask` on the sender's side: `asking(target)(ask)` (a client span when the caller is
 *   inside a sampled trace, and the `mabeam.agent.ask.duration` histogram);
 * - on `tell`/`ask`: `const trace = yield* Propagation.capture` (or `captureFrom(context)` in a
 *   synchronous path) and store `trace` (possibly `undefined`) in the envelope;
 * - in the agent's loop, around one handler run: `handleChild(trace, info)(handler)` for an ask,
 *   `handleLinked(trace, info)(handler)` for a tell.
 * Without a sampled `trace` the handler runs as is, with no span: tracing costs nothing for
 * messages sent outside any trace (or from an unsampled one).
 *
 * The agent kernel (`AgentRef`, the agent loop) applies these hooks only to messages sent from
 * inside a span: it reads the sender's span from the fiber's context cache, and a message sent
 * outside any span goes bare, runs without a hook and records neither duration histogram (the
 * histogram update alone costs ~1.7 µs per message, about 15 times a handler run, in
 * `bench/telemetry.bench.ts`).
 *
 * @since 0.1.0
 */
import { Context, Effect, Metric, Option, Schema, Tracer } from "effect"
import { askDuration, handlerDuration } from "./Metrics.ts"

const Hex = (length: number) =>
  Schema.String.check(
    Schema.makeFilter((s) =>
      s.length === length && /^[0-9a-f]+$/.test(s) && !/^0+$/.test(s)
        ? undefined
        : `${length} lower-case hex digits, not all zero`
    )
  )

/**
 * The sender's span, as it travels in an envelope: W3C trace and span ids and the sampled flag.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TraceContext = Schema.Struct({
  traceId: Hex(32),
  spanId: Hex(16),
  sampled: Schema.Boolean
})

/**
 * A decoded `TraceContext`.
 *
 * @since 0.1.0
 * @category models
 */
export type TraceContext = typeof TraceContext.Type

const fromSpan = (span: Tracer.AnySpan): TraceContext => ({
  traceId: span.traceId,
  spanId: span.spanId,
  sampled: span.sampled
})

/**
 * The current span as a `TraceContext`, or `undefined` outside any span.
 *
 * @since 0.1.0
 * @category utils
 */
export const capture: Effect.Effect<TraceContext | undefined> = Effect.map(
  Effect.option(Effect.currentParentSpan),
  (span) => (Option.isSome(span) ? fromSpan(span.value) : undefined)
)

/**
 * `capture` for a synchronous path that holds the fiber's context.
 *
 * @since 0.1.0
 * @category utils
 */
export const captureFrom = (context: Context.Context<never>): TraceContext | undefined => {
  const span = Context.getOrUndefined(context, Tracer.ParentSpan)
  return span === undefined ? undefined : fromSpan(span)
}

/**
 * The span `trace` describes, usable as a parent or a link target.
 *
 * @since 0.1.0
 * @category utils
 */
export const toSpan = (trace: TraceContext): Tracer.ExternalSpan =>
  Tracer.externalSpan({ traceId: trace.traceId, spanId: trace.spanId, sampled: trace.sampled })

/**
 * Options of the span the receiver opens.
 *
 * @since 0.1.0
 * @category models
 */
export interface SpanInfo {
  /** Span name; by convention `mabeam.agent.handle`. */
  readonly name: string
  /** Extra attributes (`messaging.*`, `mabeam.*`). */
  readonly attributes?: Record<string, unknown>
}

/**
 * Runs `effect` in a span whose parent is `trace` (the sender's span, possibly on another node).
 * Without `trace`, runs `effect` unchanged.
 *
 * @since 0.1.0
 * @category utils
 */
export const childOf =
  (trace: TraceContext | undefined, info: SpanInfo) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    trace === undefined
      ? effect
      : Effect.withSpan(effect, info.name, {
          parent: toSpan(trace),
          captureStackTrace: false,
          kind: "server",
          attributes: info.attributes ?? {}
        })

/**
 * Runs `effect` as the root of a new trace that links to `trace` (the sender's span). Without
 * `trace`, runs `effect` unchanged.
 *
 * @since 0.1.0
 * @category utils
 */
export const linkedTo =
  (trace: TraceContext | undefined, info: SpanInfo) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    trace === undefined
      ? effect
      : Effect.withSpan(effect, info.name, {
          root: true,
          captureStackTrace: false,
          sampled: trace.sampled,
          kind: "consumer",
          links: [{ span: toSpan(trace), attributes: { "mabeam.link": "tell" } }],
          attributes: info.attributes ?? {}
        })

/**
 * Who handles the message, for the handler span and the `mabeam.agent.handler.duration` histogram.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerInfo {
  /**
   * The agent's kind (its definition's name): the histogram's attribute `mabeam.agent.kind`, so
   * the number of series grows with the kinds of agents, not with the agents.
   */
  readonly kind: string
  /** The agent's id (span attribute `mabeam.agent`), if known. */
  readonly id?: string
  /** The message's tag (span attribute `messaging.operation.name`), if any. */
  readonly message?: string
}

const handlerSpan = (info: HandlerInfo): SpanInfo => ({
  name: "mabeam.agent.handle",
  attributes: {
    "messaging.system": "mabeam",
    "messaging.destination.name": info.id ?? info.kind,
    "mabeam.agent.kind": info.kind,
    ...(info.id === undefined ? {} : { "mabeam.agent": info.id }),
    ...(info.message === undefined ? {} : { "messaging.operation.name": info.message })
  }
})

// One histogram series per agent kind, made once (building a series per call is costly).
const durationByKind = new Map<string, Metric.Histogram<number>>()
const durationOf = (kind: string) => {
  let series = durationByKind.get(kind)
  if (series === undefined) {
    series = Metric.withAttributes(handlerDuration, { "mabeam.agent.kind": kind })
    durationByKind.set(kind, series)
  }
  return series
}

const timedHandler = <A, E, R>(info: HandlerInfo, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const start = performance.now()
    return Effect.onExit(effect, () => Metric.update(durationOf(info.kind), (performance.now() - start) / 1_000))
  })

/**
 * The kernel's hook for an `ask`: records the handler's duration and, when the sender's `trace`
 * is sampled, runs the handler as a child span `mabeam.agent.handle` of it.
 *
 * @since 0.1.0
 * @category utils
 */
export const handleChild =
  (trace: TraceContext | undefined, info: HandlerInfo) =>
  <A, E, R>(handler: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    timedHandler(info, trace?.sampled === true ? childOf(trace, handlerSpan(info))(handler) : handler)

/**
 * The kernel's hook for a `tell`: records the handler's duration and, when the sender's `trace`
 * is sampled, runs the handler as a new trace `mabeam.agent.handle` linked to it.
 *
 * @since 0.1.0
 * @category utils
 */
export const handleLinked =
  (trace: TraceContext | undefined, info: HandlerInfo) =>
  <A, E, R>(handler: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    timedHandler(info, trace?.sampled === true ? linkedTo(trace, handlerSpan(info))(handler) : handler)

/**
 * Who an ask goes to, for the client span and the `mabeam.agent.ask.duration` histogram.
 *
 * @since 0.1.0
 * @category models
 */
export interface AskInfo {
  /** The target's kind (the histogram's attribute `mabeam.agent.kind`: bounded cardinality). */
  readonly kind: string
  /** The target's id (span attribute `messaging.destination.name`), if known. */
  readonly id?: string
  /** The message's tag (span attribute `messaging.operation.name`), if any. */
  readonly message?: string
}

const askSeries = new Map<string, Metric.Histogram<number>>()
const askSeriesOf = (kind: string) => {
  let series = askSeries.get(kind)
  if (series === undefined) {
    series = Metric.withAttributes(askDuration, { "mabeam.agent.kind": kind })
    askSeries.set(kind, series)
  }
  return series
}

/**
 * The kernel's hook around an `ask` on the sender's side: records the round trip (real seconds)
 * in `mabeam.agent.ask.duration` and, when the caller is inside a sampled trace, runs the ask in
 * a client span `mabeam.agent.ask` (so the envelope captured inside carries that span, and the
 * handler's span becomes its child). An ask outside any trace opens no span.
 *
 * @since 0.1.0
 * @category utils
 */
export const asking =
  (info: AskInfo) =>
  <A, E, R>(ask: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withFiber((fiber) => {
      const start = performance.now()
      const timedAsk = Effect.onExit(ask, () =>
        Metric.update(askSeriesOf(info.kind), (performance.now() - start) / 1_000)
      )
      const parent = captureFrom(fiber.context)
      if (parent === undefined || !parent.sampled) return timedAsk
      return Effect.withSpan(timedAsk, "mabeam.agent.ask", {
        kind: "client",
        captureStackTrace: false,
        attributes: {
          "messaging.system": "mabeam",
          "messaging.destination.name": info.id ?? info.kind,
          "mabeam.agent.kind": info.kind,
          ...(info.message === undefined ? {} : { "messaging.operation.name": info.message })
        }
      })
    })

/**
 * `trace` as a W3C `traceparent` header value (`00-<trace id>-<span id>-<flags>`).
 *
 * @since 0.1.0
 * @category utils
 */
export const toTraceparent = (trace: TraceContext): string =>
  `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? "01" : "00"}`

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/**
 * Reads a W3C `traceparent` value; `undefined` when it is absent or malformed (a bad header never fails a message).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromTraceparent = (header: string | undefined): TraceContext | undefined => {
  const match = header === undefined ? null : traceparentPattern.exec(header.trim())
  if (match === null) return undefined
  const decoded = Schema.decodeUnknownOption(TraceContext)({
    traceId: match[1],
    spanId: match[2],
    sampled: (Number.parseInt(match[3]!, 16) & 1) === 1
  })
  return Option.getOrUndefined(decoded)
}
