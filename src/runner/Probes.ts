/**
 * What a runner tells its orchestrator and its monitoring, over HTTP on a port of its own
 * (`--health`), so probes never queue behind cluster traffic:
 *
 * - `GET /healthz` (liveness): 200 while the process answers and its event loop is responsive —
 *   the longest event-loop delay seen since the previous `/healthz` is under `maxEventLoopDelay`
 *   (default 2 s); 503 otherwise. It stays 200 during a drain: a draining runner is alive, and
 *   restarting it would turn the drain into a crash.
 * - `GET /readyz` (readiness): 200 when the runner should receive traffic — it is registered in
 *   the cluster's runner table and seen healthy, it holds at least one shard, its storage answers
 *   a query within `storageTimeout` (default 2 s), and it is not draining; 503 otherwise. A cluster
 *   with more runners than shards leaves some runners never ready: keep `shardsPerGroup` above the
 *   number of runners.
 * - `GET /metrics`: the Prometheus text format of every mabeam metric of the process (the
 *   telemetry module's scraper), plus `mabeam_runner_ready`, `mabeam_runner_draining`,
 *   `mabeam_runner_shards` and `mabeam_runner_shards_configured`, updated at each scrape (the
 *   alert rules of `deploy/prometheus/alerts.yml` read them).
 *
 * Both probes answer JSON: `{ "status": "ok" | "unavailable", "checks": { ... } }`.
 *
 * @since 0.4.0
 */
import * as Http from "node:http"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Duration, Effect, Layer, Metric, type Scope } from "effect"
import { HttpServer, type HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import {
  PROMETHEUS_CONTENT_TYPE,
  prometheusScraper,
  runnerDraining,
  runnerReady,
  runnerShards,
  runnerShardsConfigured
} from "../telemetry/index.ts"

/**
 * The result of the readiness checks.
 *
 * @since 0.1.0
 * @category models
 */
export interface Readiness {
  readonly ready: boolean
  readonly checks: {
    /** Registered in the runner table and seen healthy. */
    readonly registered: boolean
    /** Shards of the default group this runner holds. */
    readonly shards: number
    /** `"ok"`, or why the storage did not answer. */
    readonly storage: string
    /** Whether a drain has started. */
    readonly draining: boolean
  }
}

/**
 * Whether the runner is ready, given its checks (see the module comment).
 *
 * @since 0.1.0
 * @category guards
 */
export const isReady = (checks: Readiness["checks"]): boolean =>
  checks.registered && checks.shards > 0 && checks.storage === "ok" && !checks.draining

/**
 * Options of `serve`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProbeOptions {
  /** Host and port (0: a free one). */
  readonly host: string
  readonly port: number
  /** The runner's name (the `runner` attribute of its metrics, the service name of /metrics). */
  readonly runner: string
  /** Shards per group: the value of `mabeam_runner_shards_configured`. */
  readonly shardsPerGroup: number
  /** Runs the readiness checks. */
  readonly readiness: Effect.Effect<Readiness>
  /** Longest event-loop delay `/healthz` tolerates; default 2 s. */
  readonly maxEventLoopDelay?: Duration.Input | undefined
}

const json = (status: number, body: unknown) =>
  HttpServerResponse.json(body, { status, headers: { "cache-control": "no-store" } })

/**
 * Serves `/healthz`, `/readyz` and `/metrics` until the scope closes; returns the bound port.
 * Fails with `ServeError` when the address cannot be bound.
 *
 * @since 0.1.0
 * @category utils
 */
export const serve = (options: ProbeOptions): Effect.Effect<number, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function* () {
    const maxDelayMs = Duration.toMillis(Duration.fromInputUnsafe(options.maxEventLoopDelay ?? "2 seconds"))
    // A 20 ms ticker measures how late it fires (what a blocked event loop does to every callback);
    // /healthz reads and resets the worst lateness since its previous call.
    const loop = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const tick = 20
        const state = {
          last: performance.now(),
          maxLateMs: 0,
          timer: undefined as ReturnType<typeof setInterval> | undefined
        }
        state.timer = setInterval(() => {
          const now = performance.now()
          state.maxLateMs = Math.max(state.maxLateMs, now - state.last - tick)
          state.last = now
        }, tick)
        state.timer.unref()
        return state
      }),
      (state) => Effect.sync(() => clearInterval(state.timer))
    )
    const attributes = { runner: options.runner }
    const scrape = yield* prometheusScraper({ serviceName: options.runner })
    const record = (readiness: Readiness) =>
      Effect.all(
        [
          Metric.update(Metric.withAttributes(runnerReady, attributes), readiness.ready ? 1 : 0),
          Metric.update(Metric.withAttributes(runnerDraining, attributes), readiness.checks.draining ? 1 : 0),
          Metric.update(Metric.withAttributes(runnerShards, attributes), readiness.checks.shards),
          Metric.update(Metric.withAttributes(runnerShardsConfigured, attributes), options.shardsPerGroup)
        ],
        { discard: true }
      )
    const app = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const path = new URL(request.url, "http://localhost").pathname
      switch (path) {
        case "/healthz": {
          const maxMs = Math.max(loop.maxLateMs, performance.now() - loop.last - 20, 0)
          loop.maxLateMs = 0
          const ok = maxMs < maxDelayMs
          return yield* json(ok ? 200 : 503, {
            status: ok ? "ok" : "unavailable",
            checks: { eventLoopDelayMaxMs: Math.round(maxMs * 10) / 10, limitMs: maxDelayMs }
          })
        }
        case "/readyz": {
          const readiness = yield* options.readiness
          yield* record(readiness)
          return yield* json(readiness.ready ? 200 : 503, {
            status: readiness.ready ? "ok" : "unavailable",
            checks: readiness.checks
          })
        }
        case "/metrics": {
          yield* record(yield* options.readiness)
          return HttpServerResponse.text(yield* scrape, { contentType: PROMETHEUS_CONTENT_TYPE })
        }
        default:
          return HttpServerResponse.text(`not found: ${path} (try /healthz, /readyz or /metrics)`, { status: 404 })
      }
    })
    const context = yield* Layer.build(
      NodeHttpServer.layerServer(() => Http.createServer(), {
        host: options.host,
        port: options.port,
        gracefulShutdownTimeout: Duration.millis(500)
      })
    )
    const server = Context.get(context, HttpServer.HttpServer)
    yield* server.serve(Effect.catchCause(app, (cause) => json(500, { status: "error", error: String(cause) })))
    return "port" in server.address ? server.address.port : 0
  })
