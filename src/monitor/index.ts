/**
 * The performance monitor (`mabeam/monitor`): every agent sampled on `Clock` (mailbox depth,
 * messages per second, restarts, memory estimate, handler latency), a snapshot API, metrics and
 * threshold alerts.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Monitor } from "mabeam/monitor"
 *
 * const program = Effect.gen(function*() {
 *   const snapshot = yield* (yield* Monitor).snapshot
 * }).pipe(Effect.provide(Monitor.layerWith({ intervalMillis: 1000, thresholds: { mailboxDepth: 500 } })))
 * ```
 *
 * @since 0.1.0
 */
export { AGENT_BASE_BYTES, make, Monitor, type MonitorShape, QUEUED_MESSAGE_BYTES } from "./Monitor.ts"
export * as MonitorMetrics from "./metrics.ts"
export {
  type AgentSample,
  type Alert,
  type AlertMetric,
  type LatencySummary,
  MonitorOptions,
  type MonitorSnapshot,
  Thresholds
} from "./schema.ts"
