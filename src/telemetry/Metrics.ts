/**
 * The metric definitions every mabeam capability reports through. Keeping them in one module gives
 * one name and one set of attributes per concept, whatever exporter (OTLP, Prometheus) reads them.
 *
 * @since 0.1.0
 */
import { Effect, Metric } from "effect"

/** Agents currently running (gauge; attribute `node`). */
export const agentsAlive = Metric.gauge("mabeam_agents_alive", { description: "agents currently running" })

/** Messages delivered to a mailbox (counter; attribute `agent`). */
export const messagesSent = Metric.counter("mabeam_messages_sent_total", {
  description: "messages delivered to a mailbox",
  incremental: true
})

/** Messages dropped by a mailbox overflow policy or a dead target (counter; attribute `reason`). */
export const messagesDropped = Metric.counter("mabeam_messages_dropped_total", {
  description: "messages dropped (overflow or dead target)",
  incremental: true
})

/** Restarts performed by supervisors (counter; attribute `agent`). */
export const restarts = Metric.counter("mabeam_restarts_total", {
  description: "agent restarts performed by supervisors",
  incremental: true
})

/** Names currently held in the registry (gauge). */
export const registrySize = Metric.gauge("mabeam_registry_size", { description: "names held in the registry" })

/** Circuit-breaker state as a number: 0 closed, 1 half-open, 2 open (gauge; attribute `breaker`). */
export const breakerState = Metric.gauge("mabeam_breaker_state", {
  description: "circuit breaker state: 0 closed, 1 half-open, 2 open"
})

/** Calls rejected by an open circuit breaker (counter; attribute `breaker`). */
export const breakerRejections = Metric.counter("mabeam_breaker_rejections_total", {
  description: "calls rejected by an open circuit breaker",
  incremental: true
})

/** Calls rejected by a rate limiter (counter; attribute `limiter`). */
export const rateLimited = Metric.counter("mabeam_rate_limited_total", {
  description: "calls rejected by a rate limiter",
  incremental: true
})

/** Events appended to the event store (counter; attribute `type`). */
export const eventsAppended = Metric.counter("mabeam_events_appended_total", {
  description: "events appended to the event store",
  incremental: true
})

/** Overall health: 0 healthy, 1 degraded, 2 unhealthy (gauge). */
export const healthStatus = Metric.gauge("mabeam_health_status", {
  description: "aggregate health: 0 healthy, 1 degraded, 2 unhealthy"
})

/**
 * Adds 1 to `counter` with the given attributes; a one-liner for service boundaries.
 *
 * @example
 * ```ts
 * yield* count(messagesDropped, { reason: "overflow" })
 * ```
 */
export const count = (
  counter: Metric.Counter<number>,
  attributes: Metric.Metric.Attributes = {}
): Effect.Effect<void> => Metric.update(Metric.withAttributes(counter, attributes), 1)

/** Sets `gauge` to `value` with the given attributes. */
export const setGauge = (
  gauge: Metric.Gauge<number>,
  value: number,
  attributes: Metric.Metric.Attributes = {}
): Effect.Effect<void> => Metric.update(Metric.withAttributes(gauge, attributes), value)
