/**
 * Telemetry: metric definitions and span helpers for service boundaries, console logging through
 * Effect's Logger, and export over OTLP/HTTP to a collector.
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
