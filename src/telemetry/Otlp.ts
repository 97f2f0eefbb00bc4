/**
 * Export of traces, metrics and logs over OTLP/HTTP (JSON) to a collector.
 *
 * Uses Effect's native exporter (`effect/observability` `Otlp.layerJson`), not `@effect/opentelemetry`:
 * it reads Effect's own tracer, metric registry and loggers directly, needs no OTel SDK objects,
 * works with any `HttpClient`, and gives one `OtlpExporter.Flusher` to force an export of all three
 * signals (used on shutdown and in tests).
 *
 * @since 0.1.0
 */
import { Config, Effect, Layer, Option, Schema } from "effect"
import { FetchHttpClient } from "effect/http"
import { Otlp, OtlpExporter } from "effect/observability"
import { InvalidConfig } from "../config/index.ts"
import { MabeamConfig } from "../config/index.ts"

/** The standard env var naming the collector, e.g. `http://127.0.0.1:4318`. */
export const OTLP_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"

/** Options of `layerOtlp`. */
export interface OtlpOptions {
  /** Collector base URL; requests go to `{endpoint}/v1/traces`, `/v1/metrics`, `/v1/logs`. */
  readonly endpoint: string
  readonly serviceName: string
  readonly serviceVersion?: string
  /** How often buffered spans, metrics and logs are sent. Default 5 000 ms. */
  readonly exportIntervalMillis?: number
  /** Extra request headers (e.g. an auth token for a hosted collector). */
  readonly headers?: Record<string, string>
}

const Endpoint = Schema.String.check(Schema.makeFilter((s) => URL.canParse(s) ? undefined : "an absolute URL"))

/**
 * Sends traces, metrics and logs to `endpoint` over OTLP/HTTP JSON. Logs still go to the existing
 * loggers too. The last batch is flushed when the layer's scope closes; `OtlpExporter.Flusher`
 * forces an export at any time. Fails with `InvalidConfig` if `endpoint` is not a URL.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(layerOtlp({ endpoint: "http://127.0.0.1:4318", serviceName: "mabeam" })))
 * ```
 */
export const layerOtlp = (options: OtlpOptions): Layer.Layer<OtlpExporter.Flusher, InvalidConfig> =>
  Layer.unwrap(
    Schema.decodeUnknownEffect(Endpoint)(options.endpoint).pipe(
      Effect.mapError(() =>
        new InvalidConfig({
          issues: [{ key: "telemetry.otlpEndpoint", env: OTLP_ENDPOINT_ENV, value: options.endpoint, expected: "an absolute URL" }]
        })
      ),
      Effect.map((endpoint) => {
        const interval = options.exportIntervalMillis ?? 5_000
        return Otlp.layerJson({
          baseUrl: endpoint,
          resource: {
            serviceName: options.serviceName,
            ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion })
          },
          ...(options.headers === undefined ? {} : { headers: options.headers }),
          tracerExportInterval: interval,
          metricsExportInterval: interval,
          loggerExportInterval: interval,
          shutdownTimeout: "5 seconds"
        }).pipe(Layer.provide(FetchHttpClient.layer))
      })
    )
  )

/**
 * OTLP export configured from `OTEL_EXPORTER_OTLP_ENDPOINT` and the `telemetry` options of
 * `MabeamConfig`; when the env var is unset nothing is exported (the `Flusher` is a no-op).
 */
export const layerOtlpFromEnv: Layer.Layer<OtlpExporter.Flusher, InvalidConfig, MabeamConfig> = Layer.unwrap(
  Effect.gen(function*() {
    const config = yield* MabeamConfig
    const endpoint = yield* Config.option(Config.String(OTLP_ENDPOINT_ENV)).pipe(
      Effect.orElseSucceed(() => Option.none<string>())
    )
    if (Option.isNone(endpoint)) return OtlpExporter.layerFlusher
    return layerOtlp({
      endpoint: endpoint.value,
      serviceName: config.initial.telemetry.serviceName,
      exportIntervalMillis: config.initial.telemetry.exportIntervalMillis
    })
  })
)
