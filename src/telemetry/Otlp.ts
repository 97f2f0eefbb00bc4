/**
 * Export of traces, metrics and logs over OTLP/HTTP to a collector, through
 * `@effect/opentelemetry` and the official OpenTelemetry JS SDK and exporters: protobuf by default
 * (`http/protobuf`), JSON on request (`http/json`).
 *
 * What this layer adds to a plain `NodeSdk.layer`:
 * - real-time stamps on spans and log records even when the program runs on a simulated clock
 *   (the simulated time goes into `mabeam.clock.simulated_ms`);
 * - Effect logs become OTLP log records carrying the current trace and span ids;
 * - a resource with `service.name`, `service.version` and `service.instance.id`;
 * - a failing collector is loud and bounded: one warning naming the endpoint per outage, the OTLP
 *   exporters' own retries with back-off within `exportTimeoutMillis`, a shutdown flush bounded by
 *   `shutdownTimeoutMillis` of real time, and the counter `mabeam.telemetry.dropped`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { readFileSync } from "node:fs"
import * as OtelTracer from "@effect/opentelemetry/OtelTracer"
import * as OtelApi from "@opentelemetry/api"
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http"
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto"
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto"
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto"
import { type Resource, resourceFromAttributes } from "@opentelemetry/resources"
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, ParentBasedSampler, type Sampler, SamplingDecision } from "@opentelemetry/sdk-trace-base"
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node"
import { Config, Context, Effect, Layer, Logger, Option, Schema, Tracer } from "effect"
import { InvalidConfig, MabeamConfig } from "../config/index.ts"
import { loudLogs, loudMetrics, loudSpans, makeReporter } from "./internal/loud.ts"
import { makeProducer } from "./internal/producer.ts"
import { otelLogger, wallClockTracer } from "./internal/wallclock.ts"

/**
 * The standard env var naming the collector, e.g. `http://127.0.0.1:4318`.
 *
 * @since 0.1.0
 * @category constants
 */
export const OTLP_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"

/**
 * The standard env var choosing the encoding: `http/protobuf` (default) or `http/json`.
 *
 * @since 0.1.0
 * @category constants
 */
export const OTLP_PROTOCOL_ENV = "OTEL_EXPORTER_OTLP_PROTOCOL"

/**
 * The OTLP/HTTP encodings mabeam exports with.
 *
 * @since 0.1.0
 * @category models
 */
export type OtlpProtocol = "http/protobuf" | "http/json"

/**
 * Options of `layerOtlp`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OtlpOptions {
  /** Collector base URL; requests go to `{endpoint}/v1/traces`, `/v1/metrics`, `/v1/logs`. */
  readonly endpoint: string
  /** Default `http/protobuf`. */
  readonly protocol?: OtlpProtocol
  readonly serviceName: string
  /** Default: the `version` of mabeam's package.json. */
  readonly serviceVersion?: string
  /** Default: `<serviceName>-<random uuid>`, new for every process. */
  readonly serviceInstanceId?: string
  /** Extra resource attributes (e.g. `deployment.environment.name`). */
  readonly resourceAttributes?: Record<string, string>
  /** How often buffered spans, metrics and logs are sent. Default 2 000 ms. */
  readonly exportIntervalMillis?: number
  /** Bound of one export, its retries with back-off included. Default 2 000 ms (≤ the interval). */
  readonly exportTimeoutMillis?: number
  /** Bound, in real time, of the flush when the layer's scope closes. Default 1 000 ms. */
  readonly shutdownTimeoutMillis?: number
  /** Extra request headers (e.g. an auth token for a hosted collector). */
  readonly headers?: Record<string, string>
  /** Where the one warning per outage goes. Default: a line on stderr. */
  readonly warn?: (message: string) => void
  /**
   * Which spans that start a trace are exported (their descendants follow their decision). Default:
   * all. A cluster runner drops the database client spans of its background polling, which would
   * otherwise be a trace each, several a second.
   */
  readonly sampleRoot?: (span: { readonly name: string; readonly kind: OtelApi.SpanKind }) => boolean
}

// Samples the roots `keep` accepts; a span with a parent follows its parent's decision.
const rootSampler = (keep: NonNullable<OtlpOptions["sampleRoot"]>): Sampler =>
  new ParentBasedSampler({
    root: {
      shouldSample: (_context, _traceId, name, kind) => ({
        decision: keep({ name, kind }) ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD
      }),
      toString: () => "mabeam.sampleRoot"
    }
  })

/**
 * The `sampleRoot` of a cluster runner: every root span except a database client call or
 * transaction (effect/cluster's message polling and shard lock refreshes). A query inside a
 * traced request is still exported, as a child.
 *
 * @since 0.1.0
 * @category utils
 */
export const notBackgroundDatabase = (span: { readonly name: string; readonly kind: OtelApi.SpanKind }): boolean =>
  span.name !== "sql.transaction" &&
  !(span.kind === OtelApi.SpanKind.CLIENT && /^(sql\.execute|sqlite|postgresql|pg)$/.test(span.name))

/**
 * Forces an export of everything buffered (bounded by the shutdown timeout).
 *
 * @since 0.1.0
 * @category services
 */
export class TelemetryFlush extends Context.Service<
  TelemetryFlush,
  {
    /** Exports the buffered spans, log records and the current metrics now; never fails. */
    readonly flush: Effect.Effect<void>
  }
>()("mabeam/telemetry/TelemetryFlush") {
  /** A flush that does nothing: no exporter is configured. */
  static readonly layerNoop: Layer.Layer<TelemetryFlush> = Layer.succeed(TelemetryFlush, { flush: Effect.void })
}

/**
 * mabeam's version, read from its package.json (the default `service.version`).
 *
 * @since 0.1.0
 * @category utils
 */
export const packageVersion: string = (() => {
  try {
    const json: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
    return typeof json === "object" && json !== null && "version" in json && typeof json.version === "string"
      ? json.version
      : "unknown"
  } catch {
    return "unknown"
  }
})()

/**
 * The resource every signal carries: service name, version and instance id.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeResource = (options: {
  readonly serviceName: string
  readonly serviceVersion?: string | undefined
  readonly serviceInstanceId?: string | undefined
  readonly resourceAttributes?: Record<string, string> | undefined
}): Resource =>
  resourceFromAttributes({
    ...options.resourceAttributes,
    "service.name": options.serviceName,
    "service.version": options.serviceVersion ?? packageVersion,
    "service.instance.id": options.serviceInstanceId ?? `${options.serviceName}-${randomUUID()}`,
    "telemetry.sdk.name": "opentelemetry",
    "telemetry.sdk.language": "nodejs"
  })

/**
 * Waits for `run` at most `millis` of real time (not the Effect clock, which may be simulated and
 * never reach the bound); true when it finished in time.
 *
 * @since 0.1.0
 * @category utils
 */
export const withinRealTime = (millis: number, run: () => Promise<unknown>): Effect.Effect<boolean> =>
  Effect.promise(
    () =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), millis)
        timer.unref()
        const done = () => {
          clearTimeout(timer)
          resolve(true)
        }
        run().then(done, done)
      })
  )

const Endpoint = Schema.String.check(Schema.makeFilter((s) => (URL.canParse(s) ? undefined : "an absolute URL")))

const invalidEndpoint = (value: string) =>
  new InvalidConfig({
    issues: [{ key: "telemetry.otlpEndpoint", env: OTLP_ENDPOINT_ENV, value, expected: "an absolute URL" }]
  })

const exporters = (protocol: OtlpProtocol, base: string, timeoutMillis: number, headers: Record<string, string>) => {
  const at = (signal: string) => ({ url: `${base}/v1/${signal}`, timeoutMillis, headers })
  return protocol === "http/json"
    ? {
        spans: new JsonTraceExporter(at("traces")),
        metrics: new JsonMetricExporter(at("metrics")),
        logs: new JsonLogExporter(at("logs"))
      }
    : {
        spans: new ProtoTraceExporter(at("traces")),
        metrics: new ProtoMetricExporter(at("metrics")),
        logs: new ProtoLogExporter(at("logs"))
      }
}

/**
 * Sends traces, metrics and logs to `endpoint` over OTLP/HTTP. Logs still go to the existing
 * loggers too. Whatever is buffered is flushed when the layer's scope closes, within
 * `shutdownTimeoutMillis`; `TelemetryFlush` forces an export at any time. Fails with
 * `InvalidConfig` if `endpoint` is not a URL.
 *
 * @example
 * ```ts
 * declare const program: Effect.Effect<void>
 * program.pipe(Effect.provide(layerOtlp({ endpoint: "http://127.0.0.1:4318", serviceName: "mabeam" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOtlp = (options: OtlpOptions): Layer.Layer<TelemetryFlush, InvalidConfig> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const endpoint = (yield* Schema.decodeUnknownEffect(Endpoint)(options.endpoint).pipe(
        Effect.mapError(() => invalidEndpoint(options.endpoint))
      )).replace(/\/+$/, "")
      const interval = options.exportIntervalMillis ?? 2_000
      const timeout = Math.min(options.exportTimeoutMillis ?? 2_000, interval)
      const shutdownTimeout = options.shutdownTimeoutMillis ?? 1_000
      const resource = makeResource(options)
      const warn = options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`))
      const context = yield* Effect.context<never>()
      const reporter = makeReporter(endpoint, warn, context)
      const raw = exporters(options.protocol ?? "http/protobuf", endpoint, timeout, options.headers ?? {})
      // Bounded buffers: when a batch queue is full, the SDK drops the newest items.
      const batch = {
        scheduledDelayMillis: interval,
        exportTimeoutMillis: timeout,
        maxQueueSize: 4_096,
        maxExportBatchSize: 512
      }

      const providers = yield* Effect.acquireRelease(
        Effect.gen(function* () {
          const tracerProvider = new NodeTracerProvider({
            resource,
            ...(options.sampleRoot === undefined ? {} : { sampler: rootSampler(options.sampleRoot) }),
            spanProcessors: [new BatchSpanProcessor(loudSpans(raw.spans, reporter), batch)]
          })
          const loggerProvider = new LoggerProvider({
            resource,
            processors: [new BatchLogRecordProcessor({ exporter: loudLogs(raw.logs, reporter), ...batch })]
          })
          const metricReader = new PeriodicExportingMetricReader({
            exporter: loudMetrics(raw.metrics, reporter),
            exportIntervalMillis: interval,
            exportTimeoutMillis: timeout
          })
          metricReader.setMetricProducer(yield* makeProducer(resource))
          return { tracerProvider, loggerProvider, metricReader }
        }),
        ({ loggerProvider, metricReader, tracerProvider }) =>
          withinRealTime(shutdownTimeout, () =>
            Promise.allSettled([tracerProvider.shutdown(), loggerProvider.shutdown(), metricReader.shutdown()])
          ).pipe(
            Effect.flatMap((inTime) =>
              inTime
                ? Effect.void
                : Effect.sync(() =>
                    warn(
                      `mabeam telemetry: the final export to ${endpoint} did not finish within ${shutdownTimeout} ms; buffered telemetry may be lost`
                    )
                  )
            )
          )
      )
      const { loggerProvider, metricReader, tracerProvider } = providers

      const flush = withinRealTime(shutdownTimeout, () =>
        Promise.allSettled([tracerProvider.forceFlush(), loggerProvider.forceFlush(), metricReader.forceFlush()])
      ).pipe(Effect.asVoid)
      const tracer = OtelTracer.make.pipe(
        Effect.provideService(OtelTracer.OtelTracer, tracerProvider.getTracer("mabeam", packageVersion)),
        Effect.map(wallClockTracer)
      )
      return Layer.mergeAll(
        Layer.succeed(TelemetryFlush, { flush }),
        Layer.effect(Tracer.Tracer, tracer),
        Logger.layer([otelLogger(loggerProvider, packageVersion)], { mergeWithExisting: true })
      )
    })
  )

/**
 * OTLP export configured from `OTEL_EXPORTER_OTLP_ENDPOINT` and `OTEL_EXPORTER_OTLP_PROTOCOL`,
 * with the other options given; nothing is exported when the endpoint is unset. For processes
 * that do not build `Mabeam.layer`, such as the cluster's runners: give each its own
 * `serviceInstanceId` (e.g. the runner's name).
 *
 * @example
 * ```ts
 * declare const runner: Effect.Effect<void>
 * declare const name: string
 * runner.pipe(Effect.provide(layerOtlpFromEnvWith({ serviceName: "mabeam-runner", serviceInstanceId: name })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOtlpFromEnvWith = (
  options: Omit<OtlpOptions, "endpoint" | "protocol">
): Layer.Layer<TelemetryFlush, InvalidConfig> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const read = (name: string) =>
        Config.option(Config.String(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))
      const endpoint = yield* read(OTLP_ENDPOINT_ENV)
      if (Option.isNone(endpoint)) return TelemetryFlush.layerNoop
      const protocol = Option.getOrElse(yield* read(OTLP_PROTOCOL_ENV), () => "http/protobuf")
      if (protocol !== "http/protobuf" && protocol !== "http/json") {
        return yield* new InvalidConfig({
          issues: [
            {
              key: "telemetry.otlpProtocol",
              env: OTLP_PROTOCOL_ENV,
              value: protocol,
              expected: '"http/protobuf" or "http/json"'
            }
          ]
        })
      }
      return layerOtlp({ ...options, endpoint: endpoint.value, protocol })
    })
  )

/**
 * OTLP export for a process that flushes only when it ends, such as a cluster runner:
 * `layerOtlpFromEnvWith` whose output is only the tracer and the log exporter (no
 * `TelemetryFlush`), so it merges into a runner's layer without shadowing anything. Exports when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else does nothing; flushes when its scope closes.
 *
 * @example
 * ```ts
 * declare const runnerLayer: Layer.Layer<never>
 * runnerLayer.pipe(Layer.provideMerge(layerOtlpForProcess({ serviceName: "mabeam-runner", serviceInstanceId: "runner-127.0.0.1:34431" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOtlpForProcess = (
  options: Omit<OtlpOptions, "endpoint" | "protocol">
): Layer.Layer<never, InvalidConfig> =>
  Layer.flatMap(layerOtlpFromEnvWith(options), (context) => Layer.succeedContext(Context.omit(TelemetryFlush)(context)))

/**
 * `layerOtlpFromEnvWith` with the `telemetry` options of `MabeamConfig`; the instance id is the
 * node's name and a fresh uuid.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOtlpFromEnv: Layer.Layer<TelemetryFlush, InvalidConfig, MabeamConfig> = Layer.unwrap(
  Effect.map(Effect.service(MabeamConfig), (config) => {
    const telemetry = config.initial.telemetry
    return layerOtlpFromEnvWith({
      serviceName: telemetry.serviceName,
      serviceInstanceId: `${config.initial.nodeName}-${randomUUID()}`,
      exportIntervalMillis: telemetry.exportIntervalMillis,
      exportTimeoutMillis: telemetry.exportTimeoutMillis,
      shutdownTimeoutMillis: telemetry.shutdownTimeoutMillis
    })
  })
)
