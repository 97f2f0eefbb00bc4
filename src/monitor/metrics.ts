/**
 * The metrics the monitor updates at every sample (defined with every other metric in
 * `telemetry/Metrics.ts`, so each concept has one name). Aggregates only; per-agent figures are
 * in the snapshot. Restarts are `mabeam.agent.restarts`, counted by the agent system.
 *
 * @since 0.1.0
 */
export {
  alertsRaised,
  maxMailboxDepth,
  memoryEstimate,
  messageRate,
  monitoredAgents,
  queuedMessages,
  worstLatencyP99
} from "../telemetry/Metrics.ts"
