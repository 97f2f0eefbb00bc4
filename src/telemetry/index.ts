/**
 * Telemetry (`mabeam/telemetry`): metric definitions (OpenTelemetry names and units), span helpers
 * for service boundaries, trace propagation between agents and nodes, console logging through
 * Effect's Logger, export over OTLP/HTTP to a collector and a Prometheus `/metrics` endpoint.
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
export {
  type LogFormat,
  layerLogger,
  layerLoggerFromConfig,
  logFromCurrentFiber,
  makeAgentLogs,
  makeLogBudget
} from "./Logging.ts"
export {
  agentsAlive,
  alertsRaised,
  askDuration,
  breakerRejections,
  breakerState,
  count,
  durationBoundaries,
  eventsAppended,
  handlerDuration,
  healthStatus,
  maxMailboxDepth,
  memoryEstimate,
  messageRate,
  messagesDropped,
  messagesSent,
  monitoredAgents,
  queuedMessages,
  quotaPauses,
  quotaRejections,
  rateLimited,
  registrySize,
  restarts,
  runnerDraining,
  runnerReady,
  runnerShards,
  runnerShardsConfigured,
  setGauge,
  telemetryDropped,
  timed,
  transportRejected,
  worstLatencyP99
} from "./Metrics.ts"
export {
  layerOtlp,
  layerOtlpForProcess,
  layerOtlpFromEnv,
  layerOtlpFromEnvWith,
  makeResource,
  notBackgroundDatabase,
  OTLP_ENDPOINT_ENV,
  OTLP_PROTOCOL_ENV,
  type OtlpOptions,
  type OtlpProtocol,
  packageVersion,
  TelemetryFlush,
  withinRealTime
} from "./Otlp.ts"
export {
  layerPrometheus,
  layerPrometheusFromConfig,
  PROMETHEUS_CONTENT_TYPE,
  PrometheusServeError,
  prometheusScraper
} from "./Prometheus.ts"
export * as Propagation from "./Propagation.ts"
export { argument, type AttributeValue, boundary, childSpan, traced, type TracedOptions, whenTracing } from "./Span.ts"
