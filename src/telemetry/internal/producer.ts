/**
 * Reads Effect's metric registry as an OpenTelemetry `MetricProducer` (through
 * `@effect/opentelemetry`) and moves mabeam's `unit` attribute out of the series' attributes: the
 * unit is already on the metric's descriptor, and as an attribute it would become a Prometheus
 * label and an extra OTLP data-point attribute.
 *
 * @internal
 */
import * as OtelMetrics from "@effect/opentelemetry/OtelMetrics"
import * as OtelResource from "@effect/opentelemetry/Resource"
import type { Resource } from "@opentelemetry/resources"
import type { CollectionResult, MetricData, MetricProducer } from "@opentelemetry/sdk-metrics"
import { Effect } from "effect"

const unitKeys = new Set(["unit", "time_unit"])

const stripUnit = (metric: MetricData): MetricData => {
  const points = (metric.dataPoints as ReadonlyArray<{ readonly attributes: Record<string, unknown> }>).map(
    (point) => ({
      ...point,
      attributes: Object.fromEntries(Object.entries(point.attributes).filter(([key]) => !unitKeys.has(key)))
    })
  )
  return { ...metric, dataPoints: points } as MetricData
}

/**
 * A producer over the metric registry of the current context, one per reader (delta state is per reader).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeProducer = (
  resource: Resource,
  temporality: OtelMetrics.TemporalityPreference = "cumulative"
): Effect.Effect<MetricProducer> =>
  OtelMetrics.makeProducer(temporality).pipe(
    Effect.provideService(OtelResource.Resource, resource),
    Effect.map(
      (inner): MetricProducer => ({
        collect: (options) =>
          inner.collect(options).then(
            (result): CollectionResult => ({
              ...result,
              resourceMetrics: {
                ...result.resourceMetrics,
                scopeMetrics: result.resourceMetrics.scopeMetrics.map((scope) => ({
                  ...scope,
                  metrics: scope.metrics.map(stripUnit)
                }))
              }
            })
          )
      })
    )
  )
