/**
 * OTLP export against a real receiver (test/telemetry/receiver.ts): protobuf decoded with the
 * official opentelemetry-proto files, and JSON. Loopback only; `it.live` because the exporters
 * run on real timers.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Fiber, Layer, Metric, Queue } from "effect"
import { TestClock } from "effect/testing"
import { MabeamConfig } from "../../src/config/index.ts"
import {
  askDuration,
  boundary,
  count,
  layerOtlp,
  layerOtlpFromEnv,
  layerOtlpFromEnvWith,
  messagesSent,
  type OtlpOptions,
  packageVersion,
  Propagation,
  TelemetryFlush,
  telemetryDropped,
  timed
} from "../../src/telemetry/index.ts"
import { closedPort, type Received, receiver } from "./receiver.ts"

const options = (endpoint: string, extra: Partial<OtlpOptions> = {}): OtlpOptions => ({
  endpoint,
  serviceName: "mabeam-test",
  serviceInstanceId: "node-a-1",
  exportIntervalMillis: 60_000,
  ...extra
})

const flush = Effect.flatMap(Effect.service(TelemetryFlush), (t) => t.flush)

/** Agent "b" as the kernel will run it: its handler under the propagation hook, on its own fiber. */
const agentB = (trace: Propagation.TraceContext | undefined, kind: "ask" | "tell") =>
  Effect.gen(function* () {
    yield* Effect.logInfo("b handles the message")
    yield* Effect.void.pipe(Effect.withSpan("mabeam.worker.evaluate"))
  }).pipe(
    kind === "ask"
      ? Propagation.handleChild(trace, { kind: "worker", id: "b", message: "Evaluate" })
      : Propagation.handleLinked(trace, { kind: "worker", id: "b", message: "Evaluate" })
  )

describe("OTLP export (protobuf, the default)", () => {
  it.live("an ask from agent a to agent b is one trace: b's handler is a child of a's span", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      yield* Effect.gen(function* () {
        // Agent b's loop: a fiber started outside any span, taking envelopes from its mailbox.
        const mailbox = yield* Queue.bounded<{ readonly trace: Propagation.TraceContext | undefined }>(1)
        const replies = yield* Queue.bounded<void>(1)
        const loop = yield* Effect.forkChild(
          Queue.take(mailbox).pipe(
            Effect.flatMap((envelope) => agentB(envelope.trace, "ask")),
            Effect.andThen(Queue.offer(replies, undefined))
          )
        )
        yield* Effect.gen(function* () {
          yield* Queue.offer(mailbox, { trace: yield* Propagation.capture })
          yield* Queue.take(replies)
        }).pipe(Effect.withSpan("mabeam.agent.ask", { kind: "client" }))
        yield* Fiber.join(loop)
        yield* flush
      }).pipe(Effect.provide(layerOtlp(options(collector.endpoint))))

      const received = yield* collector.waitFor((r) => r.spans.length >= 3 && r.logs.length >= 1)
      const ask = received.spans.find((s) => s.name === "mabeam.agent.ask")!
      const handle = received.spans.find((s) => s.name === "mabeam.agent.handle")!
      const evaluate = received.spans.find((s) => s.name === "mabeam.worker.evaluate")!
      assert.strictEqual(handle.traceId, ask.traceId)
      assert.strictEqual(handle.parentSpanId, ask.spanId)
      assert.strictEqual(evaluate.traceId, ask.traceId)
      assert.strictEqual(evaluate.parentSpanId, handle.spanId)
      assert.strictEqual(ask.parentSpanId, "")
      assert.strictEqual(handle.attributes["messaging.system"], "mabeam")
      assert.strictEqual(handle.attributes["mabeam.agent"], "b")
      assert.strictEqual(handle.attributes["messaging.operation.name"], "Evaluate")
      assert.include([...received.contentTypes].join(), "application/x-protobuf")
      const log = received.logs.find((l) => l.body === "b handles the message")!
      assert.strictEqual(log.traceId, ask.traceId)
      assert.strictEqual(log.spanId, handle.spanId)
    })
  )

  it.live("a tell starts a new trace linked to the sender's span", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      yield* Effect.gen(function* () {
        const trace = yield* Propagation.capture.pipe(Effect.withSpan("mabeam.agent.tell", { kind: "producer" }))
        yield* agentB(trace, "tell")
        yield* flush
      }).pipe(Effect.provide(layerOtlp(options(collector.endpoint))))

      const received = yield* collector.waitFor((r) => r.spans.some((s) => s.name === "mabeam.agent.handle"))
      const tell = received.spans.find((s) => s.name === "mabeam.agent.tell")
      const handle = received.spans.find((s) => s.name === "mabeam.agent.handle")!
      assert.isDefined(tell)
      assert.notStrictEqual(handle.traceId, tell!.traceId)
      assert.strictEqual(handle.parentSpanId, "")
      assert.deepStrictEqual(handle.links, [{ traceId: tell!.traceId, spanId: tell!.spanId }])
    })
  )

  it.live("the resource names the service, its version and its instance", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      yield* Effect.void.pipe(
        boundary("registry", "lookup", { name: "x" }),
        Effect.provide(layerOtlp(options(collector.endpoint)))
      )
      const received = yield* collector.waitFor((r) => r.spans.length >= 1)
      const span = received.spans[0]!
      assert.strictEqual(span.name, "mabeam.registry.lookup")
      assert.strictEqual(span.attributes["mabeam.name"], "x")
      assert.strictEqual(span.resource["service.name"], "mabeam-test")
      assert.strictEqual(span.resource["service.version"], packageVersion)
      assert.notStrictEqual(packageVersion, "unknown")
      assert.strictEqual(span.resource["service.instance.id"], "node-a-1")
    })
  )

  it.live("a crash logged through Effect's logger is an OTLP log record with its cause and trace", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      const [traceId, spanId] = yield* Effect.gen(function* () {
        const ids = yield* Effect.gen(function* () {
          const span = yield* Effect.currentSpan
          yield* Effect.logError("agent crashed", Cause.die(new Error("boom in handler"))).pipe(
            Effect.annotateLogs({ "mabeam.agent": "worker-1" })
          )
          return [span.traceId, span.spanId] as const
        }).pipe(Effect.withSpan("mabeam.supervision.restart"))
        yield* flush
        return ids
      }).pipe(Effect.provide(layerOtlp(options(collector.endpoint))))

      const received = yield* collector.waitFor((r) => r.logs.some((l) => l.body === "agent crashed"))
      const log = received.logs.find((l) => l.body === "agent crashed")!
      assert.strictEqual(log.severityText, "Error")
      assert.strictEqual(log.traceId, traceId)
      assert.strictEqual(log.spanId, spanId)
      assert.strictEqual(log.attributes["mabeam.agent"], "worker-1")
      assert.include(String(log.attributes["exception.message"]), "boom in handler")
      assert.strictEqual(log.resource["service.name"], "mabeam-test")
    })
  )

  it.live("metrics carry OTel names and UCUM units, without a unit attribute on the series", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      yield* Effect.gen(function* () {
        yield* count(messagesSent, { node: "n1" })
        yield* Effect.void.pipe(timed(askDuration, { "rpc.system": "mabeam" }))
        yield* flush
      }).pipe(Effect.provide(layerOtlp(options(collector.endpoint))))

      const check = (r: Received) =>
        r.metrics.some((m) => m.name === "mabeam.agent.messages.sent") &&
        r.metrics.some((m) => m.name === "mabeam.agent.ask.duration")
      const received = yield* collector.waitFor(check)
      const sent = received.metrics.find((m) => m.name === "mabeam.agent.messages.sent")!
      assert.strictEqual(sent.unit, "{message}")
      assert.strictEqual(sent.kind, "sum")
      const point = sent.points.find((p) => p.attributes["node"] === "n1")!
      assert.isAtLeast(point.value, 1)
      assert.notProperty(point.attributes, "unit")
      const ask = received.metrics.find((m) => m.name === "mabeam.agent.ask.duration")!
      assert.strictEqual(ask.unit, "s")
      assert.strictEqual(ask.kind, "histogram")
      assert.isAtLeast(ask.points.find((p) => p.attributes["rpc.system"] === "mabeam")!.value, 1)
      assert.strictEqual(sent.resource["service.instance.id"], "node-a-1")
    })
  )

  it.live("telemetry made under a simulated clock is stamped with real time", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      const before = BigInt(Date.now() - 60_000) * 1_000_000n
      yield* Effect.gen(function* () {
        yield* Effect.gen(function* () {
          yield* TestClock.adjust("1 second")
          yield* Effect.logWarning("on simulated time")
        }).pipe(Effect.withSpan("mabeam.flagship.round"), Effect.provide(TestClock.layer()))
        yield* count(messagesSent, { node: "sim" })
        yield* flush
      }).pipe(Effect.provide(layerOtlp(options(collector.endpoint))))

      const received = yield* collector.waitFor(
        (r) => r.spans.some((s) => s.name === "mabeam.flagship.round") && r.logs.length > 0 && r.metrics.length > 0
      )
      const span = received.spans.find((s) => s.name === "mabeam.flagship.round")!
      assert.isTrue(span.startTimeUnixNano > before, `span stamped ${span.startTimeUnixNano}`)
      assert.strictEqual(span.attributes["mabeam.clock.simulated_ms"], 0)
      const log = received.logs.find((l) => l.body === "on simulated time")!
      assert.isTrue(log.timeUnixNano > before, `log stamped ${log.timeUnixNano}`)
      assert.strictEqual(log.attributes["mabeam.clock.simulated_ms"], 1_000)
      for (const metric of received.metrics) {
        for (const point of metric.points) assert.isTrue(point.timeUnixNano > before)
      }
    })
  )
})

describe("OTLP export (JSON on request)", () => {
  it.live("http/json sends spans, metrics and logs as JSON", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      yield* Effect.gen(function* () {
        yield* Effect.logInfo("json log").pipe(Effect.withSpan("mabeam.events.append"))
        yield* count(messagesSent, { node: "json" })
        yield* flush
      }).pipe(Effect.provide(layerOtlp(options(collector.endpoint, { protocol: "http/json" }))))

      const received = yield* collector.waitFor((r) => r.spans.length > 0 && r.logs.length > 0 && r.metrics.length > 0)
      assert.deepStrictEqual([...received.contentTypes], ["application/json"])
      const span = received.spans.find((s) => s.name === "mabeam.events.append")!
      assert.strictEqual(received.logs[0]!.traceId, span.traceId)
      assert.strictEqual(received.metrics.find((m) => m.name === "mabeam.agent.messages.sent")!.unit, "{message}")
    })
  )
})

describe("OTLP configuration from the environment", () => {
  const fromEnv = (env: Record<string, string>) =>
    layerOtlpFromEnv.pipe(
      Layer.provide(
        MabeamConfig.layerWith({ env: {}, values: { nodeName: "runner-7", telemetry: { serviceName: "from-env" } } })
      ),
      Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
    )

  it.live("OTEL_EXPORTER_OTLP_ENDPOINT and _PROTOCOL select the collector and the encoding", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      yield* Effect.void.pipe(
        boundary("registry", "lookup"),
        Effect.provide(
          fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" })
        )
      )
      const received = yield* collector.waitFor((r) => r.spans.length > 0)
      assert.strictEqual(received.spans[0]!.resource["service.name"], "from-env")
      assert.match(String(received.spans[0]!.resource["service.instance.id"]), /^runner-7-[0-9a-f-]{36}$/)
      assert.deepStrictEqual([...received.contentTypes], ["application/json"])
    })
  )

  it.live("a process without Mabeam.layer (a cluster runner) exports with its own service.instance.id", () =>
    Effect.gen(function* () {
      const collector = yield* receiver()
      const runner = (name: string) =>
        Effect.void.pipe(
          Effect.withSpan("mabeam.cluster.activate"),
          Effect.provide(
            layerOtlpFromEnvWith({ serviceName: "mabeam-runner", serviceInstanceId: name }).pipe(
              Layer.provide(
                ConfigProvider.layer(
                  ConfigProvider.fromEnv({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint } })
                )
              )
            )
          )
        )
      yield* runner("runner-1")
      yield* runner("runner-2")
      const received = yield* collector.waitFor((r) => r.spans.length >= 2)
      assert.deepStrictEqual(received.spans.map((s) => s.resource["service.instance.id"]).sort(), [
        "runner-1",
        "runner-2"
      ])
      assert.isTrue(received.spans.every((s) => s.resource["service.name"] === "mabeam-runner"))
    })
  )

  it.effect("without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported and flush is a no-op", () =>
    flush.pipe(Effect.provide(fromEnv({})))
  )

  it.effect("an unknown OTEL_EXPORTER_OTLP_PROTOCOL fails with InvalidConfig naming the env var", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Layer.build(fromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }))
      )
      assert.strictEqual(error._tag, "InvalidConfig")
      assert.include(error.message, "OTEL_EXPORTER_OTLP_PROTOCOL")
      assert.include(error.message, '"grpc"')
    })
  )

  it.effect("an endpoint that is not a URL fails with InvalidConfig naming the env var", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(layerOtlp({ endpoint: "not a url", serviceName: "x" })))
      assert.strictEqual(error._tag, "InvalidConfig")
      assert.include(error.message, "OTEL_EXPORTER_OTLP_ENDPOINT")
      assert.include(error.message, '"not a url"')
    })
  )
})

const dropped = (signal: string) =>
  Effect.map(Metric.value(Metric.withAttributes(telemetryDropped, { signal })), (state) => state.count)

describe("a failing collector is loud and bounded", () => {
  it.live("a refused endpoint gives one warning naming it and counts what was dropped", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const endpoint = `http://127.0.0.1:${port}`
      const warnings: Array<string> = []
      const before = yield* dropped("traces")
      yield* Effect.gen(function* () {
        yield* Effect.void.pipe(Effect.withSpan("first"))
        yield* flush
        yield* Effect.void.pipe(Effect.withSpan("second"))
        yield* flush
      }).pipe(
        Effect.provide(
          layerOtlp(
            options(endpoint, {
              exportTimeoutMillis: 300,
              shutdownTimeoutMillis: 2_000,
              warn: (m) => void warnings.push(m)
            })
          )
        )
      )
      // One warning for the outage, whichever signal failed first.
      assert.strictEqual(warnings.length, 1, warnings.join("\n"))
      assert.include(warnings[0]!, endpoint)
      assert.isAtLeast((yield* dropped("traces")) - before, 2)
    })
  )

  it.live("a collector answering 503 is retried with back-off, then the loss is counted once warned", () =>
    Effect.gen(function* () {
      const collector = yield* receiver("unavailable")
      const warnings: Array<string> = []
      const before = yield* dropped("logs")
      yield* Effect.gen(function* () {
        yield* Effect.logInfo("lost")
        yield* flush
      }).pipe(
        Effect.provide(
          layerOtlp(
            options(collector.endpoint, {
              // Room for one retry (the OTLP exporter's first back-off is ~1 s).
              exportTimeoutMillis: 2_500,
              shutdownTimeoutMillis: 4_000,
              warn: (m) => void warnings.push(m)
            })
          )
        )
      )
      assert.isAtLeast(collector.received.requests.filter((s) => s === "logs").length, 2)
      assert.strictEqual(warnings.length, 1, warnings.join("\n"))
      assert.include(warnings[0]!, collector.endpoint)
      assert.isAtLeast((yield* dropped("logs")) - before, 1)
    })
  )

  it.live(
    "a hanging collector does not hold the shutdown beyond its bound",
    () =>
      Effect.gen(function* () {
        const collector = yield* receiver("hang")
        const warnings: Array<string> = []
        // The exporter's own timeout is far beyond the test's limit: only the shutdown bound ends it.
        const run = Effect.void.pipe(
          Effect.withSpan("stuck"),
          Effect.provide(
            layerOtlp(
              options(collector.endpoint, {
                exportIntervalMillis: 60_000,
                exportTimeoutMillis: 60_000,
                shutdownTimeoutMillis: 300,
                warn: (m) => void warnings.push(m)
              })
            )
          )
        )
        const outcome = yield* run.pipe(Effect.timeoutOption("20 seconds"))
        assert.isTrue(outcome._tag === "Some", "the layer's scope closed")
        assert.isTrue(
          warnings.some((w) => w.includes(collector.endpoint) && w.includes("300 ms")),
          warnings.join("\n")
        )
      }),
    30_000
  )
})
