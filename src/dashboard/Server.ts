/**
 * The dashboard server: Effect's HTTP server (Node) on 127.0.0.1 with four routes —
 * `/` the page, `/snapshot` one JSON snapshot, `/events` a server-sent-events stream of snapshots
 * (event name `snapshot`, one every `intervalMillis`), `/metrics` the metrics in the Prometheus
 * text format. It lives in the caller's Scope: closing
 * the scope closes the socket and ends every open stream.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Duration, Effect, Layer, Schedule, type Scope, Stream } from "effect"
import { HttpServer, HttpServerRequest, HttpServerResponse } from "effect/http"
import type { HttpServerError } from "effect/http"
import type { AgentSystem } from "../agent/index.ts"
import type { Registry } from "../registry/index.ts"
import { PROMETHEUS_CONTENT_TYPE, prometheusScraper } from "../telemetry/index.ts"
import { page } from "./page.ts"
import type { Probe } from "./Probe.ts"
import * as Snapshot from "./Snapshot.ts"

/**
 * Options of `serve`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServeOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number
  /** Time between two streamed snapshots; default 250 ms. */
  readonly intervalMillis?: number
}

/**
 * A running dashboard.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningDashboard {
  /** The port it listens on. */
  readonly port: number
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string
}

/**
 * What the dashboard reads.
 *
 * @since 0.1.0
 * @category models
 */
export type DashboardServices = AgentSystem | Registry | Probe

const encoder = new TextEncoder()

const events = (interval: Duration.Duration) =>
  Stream.fromEffectSchedule(Snapshot.take, Schedule.spaced(interval)).pipe(
    Stream.map((snapshot) => encoder.encode(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`)),
    // Tells the browser how long to wait before reconnecting when the stream breaks.
    Stream.prepend([encoder.encode("retry: 1000\n\n")])
  )

const app = (interval: Duration.Duration, scrape: Effect.Effect<string>) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const services = yield* Effect.context<DashboardServices>()
    const path = new URL(request.url, "http://127.0.0.1").pathname
    switch (path) {
      case "/":
      case "/index.html":
        return HttpServerResponse.html(page)
      case "/snapshot":
        return yield* HttpServerResponse.json(yield* Snapshot.take, { headers: { "cache-control": "no-store" } })
      case "/events":
        return HttpServerResponse.stream(events(interval).pipe(Stream.provideContext(services)), {
          contentType: "text/event-stream",
          headers: { "cache-control": "no-store", connection: "keep-alive" }
        })
      case "/metrics":
        return HttpServerResponse.text(yield* scrape, { contentType: PROMETHEUS_CONTENT_TYPE })
      default:
        return HttpServerResponse.text(`not found: ${path} (try /, /snapshot, /events or /metrics)`, { status: 404 })
    }
  })

/**
 * Serves the dashboard on 127.0.0.1 until the current Scope closes. Fails with `ServeError` when
 * the port is taken.
 *
 * @example
 * ```ts
 * const { url } = yield* Dashboard.serve({ port: 8080 })
 * yield* Console.log(`dashboard at ${url}`)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const serve = (
  options: ServeOptions = {}
): Effect.Effect<RunningDashboard, HttpServerError.ServeError, Scope.Scope | DashboardServices> =>
  Effect.gen(function* () {
    const interval = Duration.millis(options.intervalMillis ?? 250)
    const context = yield* Layer.build(
      NodeHttpServer.layerServer(() => Http.createServer(), {
        host: "127.0.0.1",
        port: options.port ?? 0,
        // Event streams never end by themselves: do not wait for them when closing.
        gracefulShutdownTimeout: Duration.millis(100)
      })
    )
    const server = Context.get(context, HttpServer.HttpServer)
    yield* server.serve(app(interval, yield* prometheusScraper({ serviceName: "mabeam" })))
    const port = "port" in server.address ? server.address.port : 0
    return { port, url: `http://127.0.0.1:${port}/` }
  })
