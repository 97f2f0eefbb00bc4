/**
 * Telemetry (`mabeam/telemetry`): metric definitions and span helpers for service boundaries,
 * console logging through Effect's Logger, and export over OTLP/HTTP to a collector.
 * `Mabeam.layer` exports when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { layerOtlp } from "mabeam/telemetry"
 *
 * program.pipe(Effect.provide(layerOtlp({ endpoint: "http://127.0.0.1:4318", serviceName: "my-app" })))
 * ```
 *
 * @since 0.1.0
 */
export { type LogFormat, layerLogger, layerLoggerFromConfig } from "./Logging.ts"
export {
  agentsAlive,
  breakerRejections,
  breakerState,
  count,
  eventsAppended,
  healthStatus,
  messagesDropped,
  messagesSent,
  rateLimited,
  registrySize,
  restarts,
  setGauge
} from "./Metrics.ts"
export { layerOtlp, layerOtlpFromEnv, OTLP_ENDPOINT_ENV, type OtlpOptions } from "./Otlp.ts"
export { boundary } from "./Span.ts"
