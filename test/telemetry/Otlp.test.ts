import { assert, describe, it } from "@effect/vitest"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { ConfigProvider, Deferred, Effect, Layer } from "effect"
import { OtlpExporter } from "effect/observability"
import { MabeamConfig } from "../../src/config/index.ts"
import { boundary, count, layerOtlp, layerOtlpFromEnv, messagesSent } from "../../src/telemetry/index.ts"

type Signal = "traces" | "metrics" | "logs"

/** An in-process OTLP/HTTP receiver: completes one Deferred per signal with the first JSON body. */
const receiver = Effect.gen(function*() {
  const bodies = {
    traces: yield* Deferred.make<unknown>(),
    metrics: yield* Deferred.make<unknown>(),
    logs: yield* Deferred.make<unknown>()
  }
  const server = yield* Effect.acquireRelease(
    Effect.callback<Server>((resume) => {
      const s = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          const signal = req.url?.replace("/v1/", "") as Signal
          if (req.method === "POST" && signal in bodies) {
            Deferred.doneUnsafe(bodies[signal], Effect.succeed(JSON.parse(Buffer.concat(chunks).toString("utf8"))))
          }
          res.writeHead(200, { "content-type": "application/json" }).end("{}")
        })
      })
      s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
    }),
    (s) => Effect.callback<void>((resume) => void s.close(() => resume(Effect.void)))
  )
  const { port } = server.address() as AddressInfo
  return { endpoint: `http://127.0.0.1:${port}`, bodies }
})

const bounded = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.timeout(effect, "10 seconds")

describe("OTLP export", () => {
  it.live("spans, metrics and logs arrive at a real OTLP/HTTP receiver", () =>
    Effect.gen(function*() {
      const { bodies, endpoint } = yield* receiver
      yield* Effect.gen(function*() {
        yield* Effect.gen(function*() {
          yield* count(messagesSent, { agent: "a1" })
          yield* Effect.logInfo("delivered to a1")
        }).pipe(boundary("agent", "tell", { agent: "a1" }))
        yield* (yield* OtlpExporter.Flusher).flush
      }).pipe(Effect.provide(layerOtlp({ endpoint, serviceName: "mabeam-test", exportIntervalMillis: 60_000 })))

      const traces = JSON.stringify(yield* bounded(Deferred.await(bodies.traces)))
      assert.include(traces, "\"mabeam.agent.tell\"")
      assert.include(traces, "\"mabeam.agent\"")
      assert.include(traces, "\"a1\"")
      assert.include(traces, "\"mabeam-test\"")
      const metrics = JSON.stringify(yield* bounded(Deferred.await(bodies.metrics)))
      assert.include(metrics, "\"mabeam_messages_sent_total\"")
      const logs = JSON.stringify(yield* bounded(Deferred.await(bodies.logs)))
      assert.include(logs, "delivered to a1")
    }))

  it.live("closing the layer's scope flushes what is buffered", () =>
    Effect.gen(function*() {
      const { bodies, endpoint } = yield* receiver
      yield* Effect.void.pipe(
        boundary("events", "append", { type: "agent.started" }),
        Effect.provide(layerOtlp({ endpoint, serviceName: "mabeam-test", exportIntervalMillis: 60_000 }))
      )
      const traces = JSON.stringify(yield* bounded(Deferred.await(bodies.traces)))
      assert.include(traces, "\"mabeam.events.append\"")
    }))

  it.live("OTEL_EXPORTER_OTLP_ENDPOINT selects the collector", () =>
    Effect.gen(function*() {
      const { bodies, endpoint } = yield* receiver
      const layer = layerOtlpFromEnv.pipe(
        Layer.provide(MabeamConfig.layerWith({ env: {}, values: { telemetry: { serviceName: "from-env" } } })),
        Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } })))
      )
      yield* Effect.void.pipe(boundary("registry", "lookup"), Effect.provide(layer))
      const traces = JSON.stringify(yield* bounded(Deferred.await(bodies.traces)))
      assert.include(traces, "\"from-env\"")
      assert.include(traces, "\"mabeam.registry.lookup\"")
    }))

  it.effect("without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported and flush is a no-op", () =>
    Effect.gen(function*() {
      yield* (yield* OtlpExporter.Flusher).flush
    }).pipe(Effect.provide(layerOtlpFromEnv.pipe(
      Layer.provide(MabeamConfig.layerWith({ env: {} })),
      Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: {} })))
    ))))

  it.effect("an endpoint that is not a URL fails with InvalidConfig naming the env var", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(layerOtlp({ endpoint: "not a url", serviceName: "x" })))
      assert.strictEqual(error._tag, "InvalidConfig")
      assert.include(error.message, "OTEL_EXPORTER_OTLP_ENDPOINT")
      assert.include(error.message, "\"not a url\"")
    }))
})
