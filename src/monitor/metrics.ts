/**
 * Metrics the monitor updates at every sample. Aggregates only: per-agent attributes would make
 * the cardinality grow with the number of agents; per-agent figures are in the snapshot.
 *
 * @since 0.1.0
 */
import { Metric } from "effect"

/** Agents tracked by the monitor at the last sample (gauge). */
export const monitoredAgents = Metric.gauge("mabeam_monitor_agents", { description: "agents tracked by the monitor" })

/** Messages queued across all tracked mailboxes at the last sample (gauge). */
export const queuedMessages = Metric.gauge("mabeam_monitor_queued_messages", {
  description: "messages queued across all tracked mailboxes"
})

/** The deepest mailbox at the last sample (gauge). */
export const maxMailboxDepth = Metric.gauge("mabeam_monitor_max_mailbox_depth", { description: "deepest mailbox" })

/** Messages per second across tracked agents at the last sample (gauge). */
export const messageRate = Metric.gauge("mabeam_monitor_messages_per_second", {
  description: "messages per second across tracked agents"
})

/** Estimated bytes held by tracked agents (gauge). */
export const memoryEstimate = Metric.gauge("mabeam_monitor_memory_bytes", { description: "estimated bytes held by agents" })

/** Restarts seen by the monitor (counter; attribute `kind`). */
export const restartsSeen = Metric.counter("mabeam_monitor_restarts_total", {
  description: "agent restarts seen by the monitor",
  incremental: true
})

/** Alerts raised (counter; attribute `metric`). */
export const alertsRaised = Metric.counter("mabeam_monitor_alerts_total", {
  description: "threshold alerts raised",
  incremental: true
})

/** The highest 99th-percentile handler latency among instrumented agents, in ms (gauge). */
export const worstLatencyP99 = Metric.gauge("mabeam_monitor_handler_latency_p99_ms", {
  description: "highest p99 handler latency among instrumented agents"
})
