/**
 * Prometheus text format: `telemetry.prometheusPort` serves `/metrics` on 127.0.0.1, and so does
 * the dashboard. Loopback only.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Probe, serve } from "../../src/dashboard/index.ts"
import { Mabeam } from "../../src/runtime/index.ts"
import { count, layerPrometheus, messagesSent, prometheusScraper } from "../../src/telemetry/index.ts"
import { freePort } from "../../src/transport/index.ts"

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() }
  })

const Ping = Agent.message("Ping", {})
const Pinger = Agent.make({ name: "pinger", messages: Ping, initial: () => 0, handle: (n) => n + 1 })

describe("Prometheus /metrics", () => {
  it.effect("the scraper renders OTel names the Prometheus way, without a unit label", () =>
    Effect.gen(function* () {
      yield* count(messagesSent, { node: "scrape" })
      const text = yield* yield* prometheusScraper({ serviceName: "mabeam" })
      assert.match(text, /# HELP mabeam_agent_messages_sent(_total)? messages delivered to a mailbox/)
      assert.match(text, /mabeam_agent_messages_sent_total\{[^}]*node="scrape"[^}]*\} [1-9]/)
      assert.notInclude(text, "unit=")
    })
  )

  it.live("layerPrometheus serves /metrics on 127.0.0.1 until its scope closes", () =>
    Effect.gen(function* () {
      const port = yield* freePort
      const url = `http://127.0.0.1:${port}/metrics`
      yield* Effect.gen(function* () {
        yield* count(messagesSent, { node: "served" })
        const response = yield* get(url)
        assert.strictEqual(response.status, 200)
        assert.include(response.type, "text/plain")
        assert.match(response.body, /mabeam_agent_messages_sent_total\{[^}]*node="served"/)
      }).pipe(Effect.provide(layerPrometheus({ port, serviceName: "mabeam" })))
      const after = yield* Effect.promise(() =>
        fetch(url).then(
          () => "answered",
          () => "refused"
        )
      )
      assert.strictEqual(after, "refused")
    })
  )

  it.live("a taken port fails with PrometheusServeError naming it", () =>
    Effect.gen(function* () {
      const blocker = createServer()
      const port = yield* Effect.acquireRelease(
        Effect.callback<number>((resume) => {
          blocker.listen(0, "127.0.0.1", () => resume(Effect.succeed((blocker.address() as AddressInfo).port)))
        }),
        () => Effect.callback<void>((resume) => void blocker.close(() => resume(Effect.void)))
      )
      const error = yield* Effect.flip(Layer.build(layerPrometheus({ port, serviceName: "mabeam" })))
      assert.strictEqual(error._tag, "PrometheusServeError")
      assert.include(error.message, `127.0.0.1:${port}`)
    })
  )

  it.live("Mabeam.layer with telemetry.prometheusPort serves the agents' metrics", () =>
    Effect.gen(function* () {
      const port = yield* freePort
      yield* Effect.gen(function* () {
        const system = yield* AgentSystem
        const pinger = yield* system.spawn(Pinger, { id: "p1" })
        yield* pinger.tell(Ping.make({}))
        const body = (yield* get(`http://127.0.0.1:${port}/metrics`)).body
        assert.match(body, /mabeam_agent_alive\{[^}]*node="mabeam"[^}]*\} [1-9]/)
        assert.match(body, /mabeam_agent_messages_sent_total\{[^}]*\} [1-9]/)
      }).pipe(Effect.provide(Mabeam.layer({ env: {}, values: { telemetry: { prometheusPort: port } } })))
    })
  )

  it.live("a prometheusPort that is taken is an InvalidConfig naming the setting", () =>
    Effect.gen(function* () {
      const blocker = createServer()
      const port = yield* Effect.acquireRelease(
        Effect.callback<number>((resume) => {
          blocker.listen(0, "127.0.0.1", () => resume(Effect.succeed((blocker.address() as AddressInfo).port)))
        }),
        () => Effect.callback<void>((resume) => void blocker.close(() => resume(Effect.void)))
      )
      const error = yield* Effect.flip(
        Layer.build(Mabeam.layer({ env: {}, values: { telemetry: { prometheusPort: port } } }))
      )
      assert.strictEqual(error._tag, "InvalidConfig")
      assert.include(error.message, "telemetry.prometheusPort")
    })
  )

  it.live("the dashboard serves /metrics in the Prometheus text format", () =>
    Effect.gen(function* () {
      yield* count(messagesSent, { node: "dashboard" })
      const dashboard = yield* serve({ port: 0 })
      const response = yield* get(new URL("/metrics", dashboard.url).href)
      assert.strictEqual(response.status, 200)
      assert.include(response.type, "text/plain")
      assert.include(response.type, "version=0.0.4")
      assert.match(response.body, /mabeam_agent_messages_sent_total\{[^}]*node="dashboard"/)
    }).pipe(Effect.provide(Layer.merge(Mabeam.layer({ env: {} }), Probe.layer)))
  )
})
