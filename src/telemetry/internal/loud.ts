/**
 * Exporter wrappers that make a failing backend loud and counted: the first failure after a
 * success (or at start) prints one warning naming the endpoint; every item an export could not
 * deliver adds to `mabeam.telemetry.dropped`. Retries and their back-off are the OTLP exporter's
 * own (bounded by its export timeout).
 *
 * @internal
 */
import type { LogRecordExporter, ReadableLogRecord } from "@opentelemetry/sdk-logs"
import type { PushMetricExporter, ResourceMetrics } from "@opentelemetry/sdk-metrics"
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base"
import { type Context, Metric } from "effect"
import { telemetryDropped } from "../Metrics.ts"

type ExportResult = Parameters<Parameters<SpanExporter["export"]>[1]>[0]

/**
 * The three OTLP signals.
 *
 * @since 0.1.0
 * @category models
 */
export type Signal = "traces" | "metrics" | "logs"

/**
 * Shared by the three exporters of one endpoint: one warning per outage, one dropped counter.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailureReporter {
  readonly failed: (signal: Signal, items: number, error: Error | undefined) => void
  readonly succeeded: () => void
}

/**
 * A reporter that warns through `warn` and counts into the metric registry of `context`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeReporter = (
  endpoint: string,
  warn: (message: string) => void,
  context: Context.Context<never>
): FailureReporter => {
  let failing = false
  return {
    failed: (signal, items, error) => {
      Metric.withAttributes(telemetryDropped, { signal }).updateUnsafe(items, context)
      if (failing) return
      failing = true
      warn(
        `mabeam telemetry: cannot export ${signal} to ${endpoint} (${error?.message ?? "export failed"}); ` +
          `dropped ${items} item(s); further losses are counted in mabeam.telemetry.dropped until an export succeeds`
      )
    },
    succeeded: () => {
      failing = false
    }
  }
}

const report =
  (reporter: FailureReporter, signal: Signal, items: number, done: (result: ExportResult) => void) =>
  (result: ExportResult) => {
    // ExportResultCode.SUCCESS is 0.
    if (result.code === 0) reporter.succeeded()
    else reporter.failed(signal, items, result.error)
    done(result)
  }

/**
 * A span exporter that reports failures.
 *
 * @since 0.1.0
 * @category utils
 */
export const loudSpans = (inner: SpanExporter, reporter: FailureReporter): SpanExporter => ({
  export: (spans: Array<ReadableSpan>, done) => inner.export(spans, report(reporter, "traces", spans.length, done)),
  shutdown: () => inner.shutdown(),
  forceFlush: () => inner.forceFlush?.() ?? Promise.resolve()
})

/**
 * A log record exporter that reports failures.
 *
 * @since 0.1.0
 * @category utils
 */
export const loudLogs = (inner: LogRecordExporter, reporter: FailureReporter): LogRecordExporter => ({
  export: (logs: Array<ReadableLogRecord>, done) => inner.export(logs, report(reporter, "logs", logs.length, done)),
  shutdown: () => inner.shutdown(),
  forceFlush: () => inner.forceFlush?.() ?? Promise.resolve()
})

const points = (metrics: ResourceMetrics) =>
  metrics.scopeMetrics.reduce((n, scope) => n + scope.metrics.reduce((m, metric) => m + metric.dataPoints.length, 0), 0)

/**
 * A metric exporter that reports failures.
 *
 * @since 0.1.0
 * @category utils
 */
export const loudMetrics = (inner: PushMetricExporter, reporter: FailureReporter): PushMetricExporter => {
  const wrapped: PushMetricExporter = {
    export: (metrics, done) => inner.export(metrics, report(reporter, "metrics", points(metrics), done)),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush()
  }
  if (inner.selectAggregationTemporality !== undefined) {
    wrapped.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner)
  }
  if (inner.selectAggregation !== undefined) wrapped.selectAggregation = inner.selectAggregation.bind(inner)
  return wrapped
}
