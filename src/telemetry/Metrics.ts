/**
 * The metric definitions every mabeam capability reports through. Keeping them in one module gives
 * one name and one set of attributes per concept, whatever exporter (OTLP, Prometheus) reads them.
 *
 * Names and units follow the OpenTelemetry conventions: dotted lower-case names
 * (`mabeam.agent.messages.sent`), UCUM units (`{message}`, `s`, `By`), durations as histograms in
 * seconds. The unit rides on the metric as the attribute `unit`; the exporters of this module move
 * it to the OTLP/Prometheus unit field and drop it from the series' attributes.
 *
 * @since 0.1.0
 */
import { Effect, Metric } from "effect"

/**
 * Boundaries (seconds) of the duration histograms: 10 µs to ~40 s, ×4 per bucket.
 *
 * @since 0.1.0
 * @category utils
 */
export const durationBoundaries: ReadonlyArray<number> = Metric.exponentialBoundaries({
  start: 0.00001,
  factor: 4,
  count: 13
})

/**
 * Agents currently running (gauge `{agent}`; attribute `node`).
 *
 * @since 0.1.0
 * @category utils
 */
export const agentsAlive = Metric.gauge("mabeam.agent.alive", {
  description: "agents currently running",
  attributes: { unit: "{agent}" }
})

/**
 * Messages delivered to a mailbox (counter `{message}`; attribute `node`).
 *
 * @since 0.1.0
 * @category utils
 */
export const messagesSent = Metric.counter("mabeam.agent.messages.sent", {
  description: "messages delivered to a mailbox",
  incremental: true,
  attributes: { unit: "{message}" }
})

/**
 * Messages dropped by a mailbox overflow policy or a dead target (counter `{message}`; attribute `reason`).
 *
 * @since 0.1.0
 * @category utils
 */
export const messagesDropped = Metric.counter("mabeam.agent.messages.dropped", {
  description: "messages dropped (overflow or dead target)",
  incremental: true,
  attributes: { unit: "{message}" }
})

/**
 * Restarts performed by supervisors (counter `{restart}`; attribute `kind`).
 *
 * @since 0.1.0
 * @category utils
 */
export const restarts = Metric.counter("mabeam.agent.restarts", {
  description: "agent restarts performed by supervisors",
  incremental: true,
  attributes: { unit: "{restart}" }
})

/**
 * Time from sending an ask to receiving its reply, in seconds (histogram `s`; attribute
 * `mabeam.agent.kind`). Recorded by `Propagation.asking`.
 *
 * @since 0.1.0
 * @category utils
 */
export const askDuration = Metric.histogram("mabeam.agent.ask.duration", {
  description: "time from an ask to its reply",
  boundaries: durationBoundaries,
  attributes: { unit: "s" }
})

/**
 * Time an agent's handler spends on one message, in seconds (histogram `s`; attribute
 * `mabeam.agent.kind`). Recorded by `Propagation.handleChild` / `handleLinked`.
 *
 * @since 0.1.0
 * @category utils
 */
export const handlerDuration = Metric.histogram("mabeam.agent.handler.duration", {
  description: "time an agent's handler spends on one message",
  boundaries: durationBoundaries,
  attributes: { unit: "s" }
})

/**
 * Names currently held in the registry (gauge `{name}`; attribute `namespace`).
 *
 * @since 0.1.0
 * @category utils
 */
export const registrySize = Metric.gauge("mabeam.registry.size", {
  description: "names held in the registry",
  attributes: { unit: "{name}" }
})

/**
 * Circuit-breaker state as a number: 0 closed, 1 half-open, 2 open (gauge; attribute `breaker`).
 *
 * @since 0.1.0
 * @category utils
 */
export const breakerState = Metric.gauge("mabeam.breaker.state", {
  description: "circuit breaker state: 0 closed, 1 half-open, 2 open",
  attributes: { unit: "1" }
})

/**
 * Calls rejected by an open circuit breaker (counter `{call}`; attribute `breaker`).
 *
 * @since 0.1.0
 * @category utils
 */
export const breakerRejections = Metric.counter("mabeam.breaker.rejections", {
  description: "calls rejected by an open circuit breaker",
  incremental: true,
  attributes: { unit: "{call}" }
})

/**
 * Calls rejected by a rate limiter (counter `{call}`; attribute `limiter`).
 *
 * @since 0.1.0
 * @category utils
 */
export const rateLimited = Metric.counter("mabeam.limiter.rejections", {
  description: "calls rejected by a rate limiter",
  incremental: true,
  attributes: { unit: "{call}" }
})

/**
 * Events appended to the event store (counter `{event}`; attribute `type`).
 *
 * @since 0.1.0
 * @category utils
 */
export const eventsAppended = Metric.counter("mabeam.events.appended", {
  description: "events appended to the event store",
  incremental: true,
  attributes: { unit: "{event}" }
})

/**
 * Overall health: 0 healthy, 1 degraded, 2 unhealthy (gauge).
 *
 * @since 0.1.0
 * @category utils
 */
export const healthStatus = Metric.gauge("mabeam.health.status", {
  description: "aggregate health: 0 healthy, 1 degraded, 2 unhealthy",
  attributes: { unit: "1" }
})

/**
 * Spans, metric points and log records the exporters could not deliver (counter `{item}`;
 * attribute `signal`: `traces`, `metrics` or `logs`).
 *
 * @since 0.1.0
 * @category utils
 */
export const telemetryDropped = Metric.counter("mabeam.telemetry.dropped", {
  description: "telemetry items an exporter could not deliver",
  incremental: true,
  attributes: { unit: "{item}" }
})

/**
 * Operations refused by a resource quota (counter `{operation}`; attributes `quota`, `policy`).
 * Recorded by the quota engine (`src/resources`).
 *
 * @since 0.1.0
 * @category utils
 */
export const quotaRejections = Metric.counter("mabeam.quota.rejections", {
  description: "operations refused by a resource quota",
  incremental: true,
  attributes: { unit: "{operation}" }
})

/**
 * Agents paused by a quota's `pause` policy (counter `{pause}`; attribute `quota`).
 *
 * @since 0.1.0
 * @category utils
 */
export const quotaPauses = Metric.counter("mabeam.quota.pauses", {
  description: "agents paused by a resource quota",
  incremental: true,
  attributes: { unit: "{pause}" }
})

/**
 * Envelopes a node refused on arrival (counter `{envelope}`; attribute `reason`: bad proof, sender
 * mismatch, malformed, too large or too deep). Recorded by `RpcTransport`.
 *
 * @since 0.1.0
 * @category utils
 */
export const transportRejected = Metric.counter("mabeam.transport.rejected", {
  description: "envelopes refused on arrival (bad proof, sender mismatch, malformed, too large or deep)",
  incremental: true,
  attributes: { unit: "{envelope}" }
})

// The monitor's aggregates, updated at every sample (`src/monitor`). Aggregates only: per-agent
// attributes would make the cardinality grow with the number of agents. Restarts are counted
// once, by the agent system (`mabeam.agent.restarts`).

/**
 * Agents tracked by the monitor at the last sample (gauge `{agent}`).
 *
 * @since 0.1.0
 * @category utils
 */
export const monitoredAgents = Metric.gauge("mabeam.monitor.agents", {
  description: "agents tracked by the monitor",
  attributes: { unit: "{agent}" }
})

/**
 * Messages queued across all tracked mailboxes at the last sample (gauge `{message}`).
 *
 * @since 0.1.0
 * @category utils
 */
export const queuedMessages = Metric.gauge("mabeam.monitor.mailbox.queued", {
  description: "messages queued across all tracked mailboxes",
  attributes: { unit: "{message}" }
})

/**
 * The deepest mailbox at the last sample (gauge `{message}`).
 *
 * @since 0.1.0
 * @category utils
 */
export const maxMailboxDepth = Metric.gauge("mabeam.monitor.mailbox.max_depth", {
  description: "deepest mailbox",
  attributes: { unit: "{message}" }
})

/**
 * Messages per second across tracked agents at the last sample (gauge `{message}/s`).
 *
 * @since 0.1.0
 * @category utils
 */
export const messageRate = Metric.gauge("mabeam.monitor.messages.rate", {
  description: "messages per second across tracked agents",
  attributes: { unit: "{message}/s" }
})

/**
 * Estimated bytes held by tracked agents (gauge `By`).
 *
 * @since 0.1.0
 * @category utils
 */
export const memoryEstimate = Metric.gauge("mabeam.monitor.memory", {
  description: "estimated bytes held by agents",
  attributes: { unit: "By" }
})

/**
 * Alerts raised (counter `{alert}`; attribute `metric`).
 *
 * @since 0.1.0
 * @category utils
 */
export const alertsRaised = Metric.counter("mabeam.monitor.alerts", {
  description: "threshold alerts raised",
  incremental: true,
  attributes: { unit: "{alert}" }
})

/**
 * The highest 99th-percentile handler latency among instrumented agents, in seconds (gauge `s`).
 *
 * @since 0.1.0
 * @category utils
 */
export const worstLatencyP99 = Metric.gauge("mabeam.monitor.handler.latency.p99", {
  description: "highest p99 handler latency among instrumented agents",
  attributes: { unit: "s" }
})

/**
 * 1 when the runner is ready, 0 otherwise (gauge; attribute `runner`).
 *
 * @since 0.1.0
 * @category utils
 */
export const runnerReady = Metric.gauge("mabeam.runner.ready", {
  description: "1 when the runner passes its readiness checks, 0 otherwise",
  attributes: { unit: "1" }
})

/**
 * 1 while the runner drains, 0 otherwise (gauge; attribute `runner`).
 *
 * @since 0.1.0
 * @category utils
 */
export const runnerDraining = Metric.gauge("mabeam.runner.draining", {
  description: "1 while the runner drains (SIGTERM received), 0 otherwise",
  attributes: { unit: "1" }
})

/**
 * Shards of the default group the runner holds (gauge `{shard}`; attribute `runner`).
 *
 * @since 0.1.0
 * @category utils
 */
export const runnerShards = Metric.gauge("mabeam.runner.shards", {
  description: "shards of the default group this runner holds",
  attributes: { unit: "{shard}" }
})

/**
 * Shards per group the runner is configured with (gauge `{shard}`; attribute `runner`): the sum of
 * `mabeam.runner.shards` over a cluster's runners should equal it once rebalancing is done.
 *
 * @since 0.1.0
 * @category utils
 */
export const runnerShardsConfigured = Metric.gauge("mabeam.runner.shards.configured", {
  description: "shards per group this runner is configured with",
  attributes: { unit: "{shard}" }
})

/**
 * Adds 1 to `counter` with the given attributes; a one-liner for service boundaries.
 *
 * @example
 * ```ts
 * yield* count(messagesDropped, { reason: "overflow" })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const count = (
  counter: Metric.Counter<number>,
  attributes: Metric.Metric.Attributes = {}
): Effect.Effect<void> => Metric.update(Metric.withAttributes(counter, attributes), 1)

/**
 * Sets `gauge` to `value` with the given attributes.
 *
 * @since 0.1.0
 * @category utils
 */
export const setGauge = (
  gauge: Metric.Gauge<number>,
  value: number,
  attributes: Metric.Metric.Attributes = {}
): Effect.Effect<void> => Metric.update(Metric.withAttributes(gauge, attributes), value)

const seconds = (startMillis: number) => (performance.now() - startMillis) / 1_000

/**
 * Records how long `effect` takes, in real seconds, into `histogram` (success or failure alike).
 * Real time, not the Effect clock: a latency measured on a simulated clock is meaningless to a
 * backend.
 *
 * @example
 * ```ts
 * ref.ask(msg).pipe(timed(askDuration, { "rpc.system": "mabeam" }))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const timed =
  (histogram: Metric.Histogram<number>, attributes: Metric.Metric.Attributes = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const start = performance.now()
      return Effect.onExit(effect, () => Metric.update(Metric.withAttributes(histogram, attributes), seconds(start)))
    })
