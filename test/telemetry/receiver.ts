/**
 * An independent OTLP/HTTP receiver for the tests: node:http on 127.0.0.1, accepting protobuf and
 * JSON. Protobuf bodies are decoded with protobufjs and the official opentelemetry-proto files
 * (shipped by the npm package `@opentelemetry/otlp-grpc-exporter-base@0.34`), not with the
 * exporter's own code. Every request is normalised to one small model so tests read the same for
 * both encodings.
 */
import { createServer, type Server } from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import { dirname, join } from "node:path"
import { Deferred, Effect } from "effect"
import protobuf from "protobufjs"

const require = createRequire(import.meta.url)
const protoDir = join(
  dirname(require.resolve("@opentelemetry/otlp-grpc-exporter-base/package.json")),
  "build",
  "protos"
)

const root = new protobuf.Root()
root.resolvePath = (_origin, target) => join(protoDir, target)
root.loadSync([
  "opentelemetry/proto/collector/trace/v1/trace_service.proto",
  "opentelemetry/proto/collector/metrics/v1/metrics_service.proto",
  "opentelemetry/proto/collector/logs/v1/logs_service.proto"
])
const requestTypes = {
  traces: root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"),
  metrics: root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest"),
  logs: root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest")
}

/** The OTLP signals. */
export type Signal = keyof typeof requestTypes

/** A span as received. Ids are lower-case hex; times are nanoseconds since the epoch. */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string
  readonly name: string
  readonly kind: number
  readonly startTimeUnixNano: bigint
  readonly attributes: Record<string, unknown>
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>
  readonly resource: Record<string, unknown>
}

/** A metric as received, with its data points. */
export interface ReceivedMetric {
  readonly name: string
  readonly unit: string
  readonly description: string
  readonly kind: "sum" | "gauge" | "histogram" | "other"
  readonly points: ReadonlyArray<{
    readonly attributes: Record<string, unknown>
    readonly value: number
    readonly timeUnixNano: bigint
  }>
  readonly resource: Record<string, unknown>
}

/** A log record as received. */
export interface ReceivedLog {
  readonly body: unknown
  readonly severityText: string
  readonly traceId: string
  readonly spanId: string
  readonly timeUnixNano: bigint
  readonly attributes: Record<string, unknown>
  readonly resource: Record<string, unknown>
}

/** What the receiver answers: 200, a retryable 503, or nothing at all (the request hangs). */
export type Mode = "ok" | "unavailable" | "hang"

/** Everything received so far, by signal, plus the content types seen. */
export interface Received {
  readonly spans: Array<ReceivedSpan>
  readonly metrics: Array<ReceivedMetric>
  readonly logs: Array<ReceivedLog>
  readonly contentTypes: Set<string>
  readonly requests: Array<Signal>
}

type Json = any

const hex = (value: unknown): string => {
  if (typeof value !== "string" || value === "") return ""
  // protobuf bytes arrive base64-encoded (toObject bytes: String), JSON ids as hex.
  return /^[0-9a-f]+$/.test(value) && (value.length === 32 || value.length === 16)
    ? value
    : Buffer.from(value, "base64").toString("hex")
}

const anyValue = (value: Json): unknown => {
  if (value === undefined || value === null) return undefined
  if ("stringValue" in value) return value.stringValue
  if ("intValue" in value) return Number(value.intValue)
  if ("doubleValue" in value) return Number(value.doubleValue)
  if ("boolValue" in value) return value.boolValue
  if ("arrayValue" in value) return (value.arrayValue.values ?? []).map(anyValue)
  if ("kvlistValue" in value) return attributes(value.kvlistValue.values)
  return undefined
}

const attributes = (list: Json): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((kv: Json) => [kv.key, anyValue(kv.value)]))

const nanos = (value: unknown): bigint => BigInt(typeof value === "string" || typeof value === "number" ? value : 0)

const normalise = (signal: Signal, body: Json, into: Received) => {
  if (signal === "traces") {
    for (const rs of body.resourceSpans ?? []) {
      const resource = attributes(rs.resource?.attributes)
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          into.spans.push({
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            name: s.name,
            kind: typeof s.kind === "number" ? s.kind : 0,
            startTimeUnixNano: nanos(s.startTimeUnixNano),
            attributes: attributes(s.attributes),
            links: (s.links ?? []).map((l: Json) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId) })),
            resource
          })
        }
      }
    }
  } else if (signal === "metrics") {
    for (const rm of body.resourceMetrics ?? []) {
      const resource = attributes(rm.resource?.attributes)
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const kind = m.sum ? "sum" : m.gauge ? "gauge" : m.histogram ? "histogram" : "other"
          const data = m.sum ?? m.gauge ?? m.histogram ?? { dataPoints: [] }
          into.metrics.push({
            name: m.name,
            unit: m.unit ?? "",
            description: m.description ?? "",
            kind,
            points: (data.dataPoints ?? []).map((p: Json) => ({
              attributes: attributes(p.attributes),
              value: kind === "histogram" ? Number(p.count) : Number(p.asDouble ?? p.asInt ?? 0),
              timeUnixNano: nanos(p.timeUnixNano)
            })),
            resource
          })
        }
      }
    }
  } else {
    for (const rl of body.resourceLogs ?? []) {
      const resource = attributes(rl.resource?.attributes)
      for (const sl of rl.scopeLogs ?? []) {
        for (const r of sl.logRecords ?? []) {
          into.logs.push({
            body: anyValue(r.body),
            severityText: r.severityText ?? "",
            traceId: hex(r.traceId),
            spanId: hex(r.spanId),
            timeUnixNano: nanos(r.timeUnixNano),
            attributes: attributes(r.attributes),
            resource
          })
        }
      }
    }
  }
}

const decode = (signal: Signal, contentType: string, bytes: Buffer): Json =>
  contentType.includes("json")
    ? JSON.parse(bytes.toString("utf8"))
    : requestTypes[signal].toObject(requestTypes[signal].decode(bytes), { longs: String, bytes: String })

/**
 * Starts a receiver for the current Scope. `waitFor(check)` completes once what was received
 * satisfies `check`; `setMode` switches what it answers.
 */
export const receiver = (initial: Mode = "ok") =>
  Effect.gen(function* () {
    let mode: Mode = initial
    const received: Received = { spans: [], metrics: [], logs: [], contentTypes: new Set(), requests: [] }
    const waiters: Array<{ check: (r: Received) => boolean; done: Deferred.Deferred<Received> }> = []
    const wake = () => {
      for (const waiter of [...waiters]) {
        if (waiter.check(received)) {
          waiters.splice(waiters.indexOf(waiter), 1)
          Deferred.doneUnsafe(waiter.done, Effect.succeed(received))
        }
      }
    }
    const server = yield* Effect.acquireRelease(
      Effect.callback<Server>((resume) => {
        const s = createServer((req, res) => {
          const chunks: Array<Buffer> = []
          req.on("data", (chunk: Buffer) => chunks.push(chunk))
          req.on("end", () => {
            const signal = req.url?.replace("/v1/", "") as Signal
            if (mode === "hang") return
            if (mode === "unavailable") {
              received.requests.push(signal)
              res.writeHead(503).end()
              wake()
              return
            }
            const contentType = req.headers["content-type"] ?? ""
            received.contentTypes.add(contentType)
            received.requests.push(signal)
            if (req.method === "POST" && signal in requestTypes) {
              normalise(signal, decode(signal, contentType, Buffer.concat(chunks)), received)
            }
            res
              .writeHead(200, { "content-type": contentType.includes("json") ? "application/json" : contentType })
              .end(contentType.includes("json") ? "{}" : undefined)
            wake()
          })
        })
        s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
      }),
      (s) =>
        Effect.callback<void>((resume) => {
          s.closeAllConnections()
          s.close(() => resume(Effect.void))
        })
    )
    const { port } = server.address() as AddressInfo
    return {
      endpoint: `http://127.0.0.1:${port}`,
      received,
      setMode: (next: Mode) => Effect.sync(() => void (mode = next)),
      waitFor: (check: (r: Received) => boolean) =>
        Effect.gen(function* () {
          const done = yield* Deferred.make<Received>()
          waiters.push({ check, done })
          wake()
          return yield* Deferred.await(done).pipe(
            Effect.timeoutOrElse({
              duration: "15 seconds",
              orElse: () =>
                Effect.die(new Error(`receiver: condition not met; received ${JSON.stringify(summary(received))}`))
            })
          )
        })
    }
  })

const summary = (r: Received) => ({
  spans: r.spans.map((s) => s.name),
  metrics: [...new Set(r.metrics.map((m) => m.name))],
  logs: r.logs.map((l) => l.body),
  requests: r.requests
})

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export const closedPort = Effect.callback<number>((resume) => {
  const s = createServer()
  s.listen(0, "127.0.0.1", () => {
    const { port } = s.address() as AddressInfo
    s.close(() => resume(Effect.succeed(port)))
  })
})
