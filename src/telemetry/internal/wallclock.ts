/**
 * Telemetry stamped with real time. mabeam's logic may run on a simulated clock (`TestClock` in
 * the flagship and the simulator); a span or log record stamped with simulated time reads as
 * 1970 and a backend rejects it. These wrappers stamp start, end, events and log records with the
 * wall clock and, when the program's clock is far from it, keep the simulated time in the
 * attribute `mabeam.clock.simulated_ms`.
 *
 * @internal
 */
import { logLevelToSeverityNumber } from "@effect/opentelemetry/OtelLogger"
import * as OtelApi from "@opentelemetry/api"
import type { LoggerProvider } from "@opentelemetry/sdk-logs"
import { Cause, Context, Logger, References, Tracer } from "effect"

/**
 * The attribute holding the program's (simulated) clock when it differs from real time.
 *
 * @since 0.1.0
 * @category constants
 */
export const SIMULATED_TIME_ATTRIBUTE = "mabeam.clock.simulated_ms"

/**
 * Real time since the epoch, in nanoseconds, with sub-millisecond resolution.
 *
 * @since 0.1.0
 * @category utils
 */
export const wallNanos = (): bigint => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1_000_000))

// A program clock more than a minute away from real time is a simulated one.
const SIMULATED_SKEW_MS = 60_000

const simulatedMillis = (programNanos: bigint, wall: bigint): number | undefined => {
  const programMs = Number(programNanos / 1_000_000n)
  return Math.abs(programMs - Number(wall / 1_000_000n)) > SIMULATED_SKEW_MS ? programMs : undefined
}

/**
 * Wraps `inner` so every span it makes is stamped with real time.
 *
 * @since 0.1.0
 * @category utils
 */
export const wallClockTracer = (inner: Tracer.Tracer): Tracer.Tracer =>
  Tracer.make({
    span(options) {
      const now = wallNanos()
      const span = inner.span({ ...options, startTime: now })
      const simulated = simulatedMillis(options.startTime, now)
      if (simulated !== undefined) span.attribute(SIMULATED_TIME_ATTRIBUTE, simulated)
      const end = span.end.bind(span)
      const event = span.event.bind(span)
      span.end = (_endTime, exit) => end(wallNanos(), exit)
      span.event = (name, _startTime, attributes) => event(name, wallNanos(), attributes)
      return span
    },
    ...(inner.context === undefined ? {} : { context: inner.context })
  })

const attributeValue = (value: unknown): OtelApi.AttributeValue => {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value
  if (typeof value === "bigint") return Number(value)
  if (value instanceof Error) return value.message
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

// The log record's trace context: the ids of the current span.
const withSpan = (active: OtelApi.Context, span: Tracer.AnySpan): OtelApi.Context =>
  OtelApi.trace.setSpanContext(active, {
    traceId: span.traceId,
    spanId: span.spanId,
    traceFlags: span.sampled ? OtelApi.TraceFlags.SAMPLED : OtelApi.TraceFlags.NONE,
    isRemote: span._tag === "ExternalSpan"
  })

/**
 * A logger that turns every Effect log into an OpenTelemetry log record: real-time stamps, the
 * log's annotations as attributes, the cause as `exception.*`, and the current span's trace and
 * span ids so a backend shows the record inside its trace.
 *
 * @since 0.1.0
 * @category utils
 */
export const otelLogger = (provider: LoggerProvider, version: string): Logger.Logger<unknown, void> => {
  const logger = provider.getLogger("mabeam", version)
  return Logger.make((options) => {
    const attributes: Record<string, OtelApi.AttributeValue> = {}
    for (const [key, value] of Object.entries(options.fiber.getRef(References.CurrentLogAnnotations))) {
      attributes[key] = attributeValue(value)
    }
    const now = wallNanos()
    const simulated = simulatedMillis(BigInt(options.date.getTime()) * 1_000_000n, now)
    if (simulated !== undefined) attributes[SIMULATED_TIME_ATTRIBUTE] = simulated
    const errors = Cause.prettyErrors(options.cause, { includeCauseInStack: true })
    if (errors.length > 0) {
      attributes["exception.type"] = errors[0]!.name
      attributes["exception.message"] = errors[0]!.message
      attributes["exception.stacktrace"] = errors.map((error) => error.stack ?? error.message).join("\n")
    }
    const span = Context.getOrUndefined(options.fiber.context, Tracer.ParentSpan)
    const active = OtelApi.context.active()
    const message = (Array.isArray(options.message) ? options.message : [options.message]).map(attributeValue)
    const time: OtelApi.HrTime = [Number(now / 1_000_000_000n), Number(now % 1_000_000_000n)]
    logger.emit({
      body: message.length === 1 ? message[0]! : message.join(" "),
      severityText: options.logLevel,
      severityNumber: logLevelToSeverityNumber(options.logLevel),
      timestamp: time,
      observedTimestamp: time,
      attributes,
      context: span === undefined ? active : withSpan(active, span)
    })
  })
}
