/**
 * Metrics the monitor updates at every sample. Aggregates only: per-agent attributes would make
 * the cardinality grow with the number of agents; per-agent figures are in the snapshot.
 * Names and UCUM units follow the OpenTelemetry conventions (see `telemetry/Metrics.ts`).
 *
 * @since 0.1.0
 */
import { Metric } from "effect"

/** Agents tracked by the monitor at the last sample (gauge `{agent}`). */
export const monitoredAgents = Metric.gauge("mabeam.monitor.agents", {
  description: "agents tracked by the monitor",
  attributes: { unit: "{agent}" }
})

/** Messages queued across all tracked mailboxes at the last sample (gauge `{message}`). */
export const queuedMessages = Metric.gauge("mabeam.monitor.mailbox.queued", {
  description: "messages queued across all tracked mailboxes",
  attributes: { unit: "{message}" }
})

/** The deepest mailbox at the last sample (gauge `{message}`). */
export const maxMailboxDepth = Metric.gauge("mabeam.monitor.mailbox.max_depth", {
  description: "deepest mailbox",
  attributes: { unit: "{message}" }
})

/** Messages per second across tracked agents at the last sample (gauge `{message}/s`). */
export const messageRate = Metric.gauge("mabeam.monitor.messages.rate", {
  description: "messages per second across tracked agents",
  attributes: { unit: "{message}/s" }
})

/** Estimated bytes held by tracked agents (gauge `By`). */
export const memoryEstimate = Metric.gauge("mabeam.monitor.memory", {
  description: "estimated bytes held by agents",
  attributes: { unit: "By" }
})

/** Restarts seen by the monitor (counter `{restart}`; attribute `kind`). */
export const restartsSeen = Metric.counter("mabeam.monitor.restarts", {
  description: "agent restarts seen by the monitor",
  incremental: true,
  attributes: { unit: "{restart}" }
})

/** Alerts raised (counter `{alert}`; attribute `metric`). */
export const alertsRaised = Metric.counter("mabeam.monitor.alerts", {
  description: "threshold alerts raised",
  incremental: true,
  attributes: { unit: "{alert}" }
})

/** The highest 99th-percentile handler latency among instrumented agents, in seconds (gauge `s`). */
export const worstLatencyP99 = Metric.gauge("mabeam.monitor.handler.latency.p99", {
  description: "highest p99 handler latency among instrumented agents",
  attributes: { unit: "s" }
})
