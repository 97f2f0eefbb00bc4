/**
 * Metrics in the Prometheus text format, through `@opentelemetry/exporter-prometheus`: a
 * `/metrics` endpoint on 127.0.0.1 (`telemetry.prometheusPort`), and a scraper that renders the
 * same text for another server (the dashboard's `/metrics`).
 *
 * OTel names map to Prometheus the standard way: dots become underscores, counters get `_total`,
 * the unit becomes a suffix (`mabeam_agent_ask_duration_seconds`).
 *
 * @since 0.1.0
 */
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { Effect, Layer, Schema } from "effect"
import { MabeamConfig } from "../config/index.ts"
import { makeProducer } from "./internal/producer.ts"
import { makeResource, withinRealTime } from "./Otlp.ts"

/**
 * The content type of the Prometheus text format.
 *
 * @since 0.1.0
 * @category constants
 */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

/**
 * The port could not be bound (taken, or not allowed).
 *
 * @since 0.1.0
 * @category errors
 */
export class PrometheusServeError extends Schema.TaggedError<PrometheusServeError>()("PrometheusServeError", {
  port: Schema.Number,
  reason: Schema.String
}) {
  override get message() {
    return `cannot serve Prometheus /metrics on 127.0.0.1:${this.port}: ${this.reason}`
  }
}

/**
 * Renders the metric registry of the current context in the Prometheus text format, once per
 * call of the returned effect.
 *
 * @example
 * ```ts
 * const scrape = yield* Telemetry.prometheusScraper({ serviceName: "mabeam" })
 * const text = yield* scrape
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const prometheusScraper = (options: { readonly serviceName: string }): Effect.Effect<Effect.Effect<string>> =>
  Effect.gen(function* () {
    const resource = makeResource({ serviceName: options.serviceName, serviceInstanceId: options.serviceName })
    const producer = yield* makeProducer(resource)
    const serializer = new PrometheusSerializer()
    return Effect.promise(() => producer.collect()).pipe(
      Effect.map((result) => serializer.serialize(result.resourceMetrics))
    )
  })

/**
 * Serves `GET /metrics` in the Prometheus text format on `127.0.0.1:port` until the layer's scope
 * closes. Fails with `PrometheusServeError` when the port cannot be bound.
 *
 * @example
 * ```ts
 * program.pipe(Effect.provide(layerPrometheus({ port: 9464, serviceName: "mabeam" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPrometheus = (options: {
  readonly port: number
  readonly serviceName: string
  readonly host?: string
}): Layer.Layer<never, PrometheusServeError> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const resource = makeResource({ serviceName: options.serviceName })
      const producer = yield* makeProducer(resource)
      yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            const exporter = new PrometheusExporter({
              host: options.host ?? "127.0.0.1",
              port: options.port,
              preventServerStart: true
            })
            exporter.setMetricProducer(producer)
            await exporter.startServer()
            return exporter
          },
          catch: (error) =>
            new PrometheusServeError({
              port: options.port,
              reason: error instanceof Error ? error.message : String(error)
            })
        }),
        (exporter) => withinRealTime(1_000, () => exporter.shutdown())
      )
    })
  )

/**
 * `layerPrometheus` on `telemetry.prometheusPort` when it is > 0; nothing otherwise.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPrometheusFromConfig: Layer.Layer<never, PrometheusServeError, MabeamConfig> = Layer.unwrap(
  Effect.map(Effect.service(MabeamConfig), (config) => {
    const { prometheusPort, serviceName } = config.initial.telemetry
    return prometheusPort > 0 ? layerPrometheus({ port: prometheusPort, serviceName }) : Layer.empty
  })
)
