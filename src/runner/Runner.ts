/**
 * One runner of a mabeam cluster as a long-lived service: `Runner.layer(settings)` for programs
 * that embed it, `Runner.run(settings, { shutdown })` for a process (what `mabeam runner` runs).
 *
 * A runner joins the cluster named by its storage (SQLite file or Postgres), listens for the
 * other runners on `listen` and advertises `advertise`, hosts every `ClusterAgent` its agents
 * module exports (state in `AgentStateStore.layerSql` on the same storage), and serves
 * `/healthz`, `/readyz` and `/metrics` on a port of its own (see `Probes`).
 *
 * **Drain** (`Runner.run` on its shutdown signal, e.g. SIGTERM; or closing the layer's scope):
 * 1. `/readyz` turns 503 at once, so load balancers and orchestrators stop sending work;
 * 2. effect/cluster's sharding shuts down: the runner leaves the runner table (no new shards or
 *    activations come to it), its agents finish the message in hand (within 3/4 of the drain
 *    deadline) and are stopped, each saving its state as its persistence policy says on
 *    passivation, and its shard locks are released, so the other runners take the shards at
 *    their next assignment read (`Failover`: 200 ms with `fast`); messages in flight to it are
 *    retried by their senders on the new owner or fail with a typed `AgentStopped`;
 * 3. the storage connections and the probe server close; `run` succeeds, the process exits 0.
 *
 * If the drain takes longer than `drainTimeout`, `run` fails with `DrainTimeout` (exit 1). A
 * storage error at start is retried (every second, up to 30 attempts) before `run`
 * fails with `StorageUnavailable`.
 * SIGKILL remains the crash path: the other runners take its shards once its locks expire.
 *
 * @since 0.4.0
 */
import { Cause, Context, Duration, Effect, Exit, Fiber, Layer, Schedule, Schema, Scope } from "effect"
import { type MessageStorage, RunnerStorage, type Runners, Sharding, ShardId } from "effect/cluster"
import type { SocketServer } from "effect/socket"
import { SqlClient, type SqlError } from "effect/sql"
import type { Config } from "effect"
import {
  AgentStateStore,
  ClusterStorage,
  type ClusterStorageError,
  type StateStoreError,
  type TlsCredentialsError
} from "../cluster/index.ts"
import { layerLogger } from "../telemetry/index.ts"
import * as AgentModule from "./AgentModule.ts"
import * as Cluster from "./internal/cluster.ts"
import * as Probes from "./Probes.ts"
import type { RunnerSettings } from "./RunnerConfig.ts"

/**
 * The drain did not finish within `drainTimeout`.
 *
 * @since 0.1.0
 * @category errors
 */
export class DrainTimeout extends Schema.TaggedError<DrainTimeout>()("DrainTimeout", {
  runner: Schema.String,
  timeoutMillis: Schema.Number
}) {
  override get message(): string {
    return `runner ${this.runner} did not drain within ${this.timeoutMillis} ms`
  }
}

/**
 * The cluster's storage could not be used at start (unreachable, or a SQLite file locked by
 * runners starting at the same time) after `attempts` tries, one a second.
 *
 * @since 0.1.0
 * @category errors
 */
export class StorageUnavailable extends Schema.TaggedError<StorageUnavailable>()("StorageUnavailable", {
  storage: Schema.String,
  attempts: Schema.Number,
  reason: Schema.String
}) {
  override get message(): string {
    return `cluster storage ${this.storage} unusable after ${this.attempts} attempts: ${this.reason}`
  }
}

/**
 * A port the runner needs could not be bound (taken, or not allowed).
 *
 * @since 0.1.0
 * @category errors
 */
export class ListenError extends Schema.TaggedError<ListenError>()("ListenError", {
  what: Schema.Literals(["runner", "probes"]),
  address: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cannot listen for ${this.what === "runner" ? "the other runners (--listen)" : "probes (--health)"} on ${this.address}: ${this.reason}`
  }
}

const causeText = (error: { readonly cause?: unknown }): string =>
  error.cause instanceof Error ? error.cause.message : String(error.cause)

/**
 * Every way a runner can fail to start.
 *
 * @since 0.1.0
 * @category models
 */
export type RunnerStartError =
  | StorageUnavailable
  | ListenError
  | SocketServer.SocketServerError
  | AgentModule.AgentModuleError
  | ClusterStorageError
  | SqlError.SqlError
  | StateStoreError
  | TlsCredentialsError
  | Config.ConfigError

/**
 * A running runner, as its probes and its owner see it.
 *
 * @since 0.1.0
 * @category services
 */
export class RunnerStatus extends Context.Service<
  RunnerStatus,
  {
    /** The runner's settings. */
    readonly settings: RunnerSettings
    /** The agent kinds it hosts. */
    readonly kinds: ReadonlyArray<string>
    /** The port `/healthz`, `/readyz` and `/metrics` are served on. */
    readonly probePort: number
    /** Runs the readiness checks (see `Probes`). */
    readonly readiness: Effect.Effect<Probes.Readiness>
    /** Marks the runner as draining: `/readyz` answers 503 from now on. */
    readonly startDrain: Effect.Effect<void>
  }
>()("mabeam/runner/RunnerStatus") {}

const notStarted: Probes.Readiness = {
  ready: false,
  checks: { registered: false, shards: 0, storage: "not started", draining: false }
}

/**
 * Logs as `settings` say: JSON when `logFormat` is `json`, or `auto` and stdout is not a terminal.
 *
 * @since 0.1.0
 * @category layers
 */
export const logger = (settings: Pick<RunnerSettings, "logFormat" | "logLevel">): Layer.Layer<never> =>
  layerLogger({
    format:
      settings.logFormat === "json" || (settings.logFormat === "auto" && process.stdout.isTTY !== true)
        ? "json"
        : "pretty",
    level: settings.logLevel
  })

/**
 * The runner of `settings` (see the module comment): its sharding, its hosted agents, its state
 * store and its probe server, all released, in drain order, when the layer's scope closes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  settings: RunnerSettings
): Layer.Layer<RunnerStatus | Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage, RunnerStartError> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const agents = yield* AgentModule.load(settings.agents)
      const tls = settings.tls === undefined ? undefined : yield* Cluster.readTls(settings.tls)
      // Built first, released last: the probes answer through the whole drain.
      let draining = false
      let check: Effect.Effect<Probes.Readiness> = Effect.succeed(notStarted)
      const readiness = Effect.suspend(() => check).pipe(
        Effect.map((r): Probes.Readiness => {
          const checks = { ...r.checks, draining }
          return { ready: Probes.isReady(checks), checks }
        })
      )
      const status = Layer.effect(RunnerStatus)(
        Effect.gen(function* () {
          const probePort = yield* Probes.serve({
            host: settings.health.host,
            port: settings.health.port,
            runner: settings.name,
            shardsPerGroup: settings.shardsPerGroup,
            readiness
          }).pipe(
            Effect.mapError(
              (error) =>
                new ListenError({
                  what: "probes",
                  address: `${settings.health.host}:${settings.health.port}`,
                  reason: causeText(error)
                })
            )
          )
          return RunnerStatus.of({
            settings,
            kinds: agents.map((a) => a.kind),
            probePort,
            readiness,
            startDrain: Effect.sync(() => {
              draining = true
            })
          })
        })
      )
      const install = Layer.effectDiscard(
        Effect.gen(function* () {
          const sharding = yield* Sharding.Sharding
          const runners = yield* RunnerStorage.RunnerStorage
          const sql = yield* SqlClient.SqlClient
          const shards = Array.from({ length: settings.shardsPerGroup }, (_, i) => ShardId.make("default", i + 1))
          const { host, port } = settings.advertise
          check = Effect.gen(function* () {
            const storage = yield* sql`SELECT 1`.pipe(
              Effect.timeoutOrElse({ duration: "2 seconds", orElse: () => Effect.succeed("timed out after 2 s") }),
              Effect.map((r) => (typeof r === "string" ? r : "ok")),
              Effect.catchCause((cause) => Effect.succeed(`unreachable: ${String(cause).split("\n")[0]}`))
            )
            const registered =
              storage !== "ok"
                ? false
                : yield* runners.getRunners.pipe(
                    Effect.map((all) =>
                      all.some(
                        ([runner, healthy]) => healthy && runner.address.host === host && runner.address.port === port
                      )
                    ),
                    Effect.timeoutOrElse({ duration: "2 seconds", orElse: () => Effect.succeed(false) }),
                    Effect.catchCause(() => Effect.succeed(false))
                  )
            const held = shards.filter((shard) => sharding.hasShardId(shard)).length
            return { ready: false, checks: { registered, shards: held, storage, draining: false } }
          })
          yield* Effect.addFinalizer(() =>
            Effect.sync(() => {
              check = Effect.succeed({ ...notStarted, checks: { ...notStarted.checks, storage: "stopped" } })
            })
          )
        })
      )
      const [first, ...rest] = agents.map((agent) => agent.layer)
      const hosted = Layer.mergeAll(first!, ...rest, install)
      return hosted.pipe(
        Layer.provideMerge(Cluster.layer(settings, tls)),
        Layer.provideMerge(AgentStateStore.layerSql),
        Layer.provideMerge(ClusterStorage.layer(settings.storage)),
        Layer.provideMerge(status)
      )
    })
  )

/**
 * Options of `run`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** Completes when the runner must drain (e.g. on SIGTERM). */
  readonly shutdown: Effect.Effect<unknown>
  /** Called once the runner is started, with its status (e.g. to print its probe port). */
  readonly onStarted?: ((status: RunnerStatus["Service"]) => Effect.Effect<void>) | undefined
}

/**
 * Runs the runner of `settings` until `options.shutdown` completes, then drains it (see the
 * module comment). Succeeds once drained; fails with `DrainTimeout` when the drain takes longer
 * than `settings.drainTimeout`, or with a `RunnerStartError` when it cannot start.
 *
 * @since 0.1.0
 * @category utils
 */
export const run = (
  settings: RunnerSettings,
  options: RunOptions
): Effect.Effect<void, RunnerStartError | DrainTimeout> =>
  Effect.gen(function* () {
    // A storage error at start (a database still starting, a SQLite file locked by runners that
    // create their tables at the same moment; effect's SQL runner storage dies on it) is retried.
    let attempts = 0
    const storage = ClusterStorage.describe(settings.storage)
    const { context, scope } = yield* Effect.gen(function* () {
      attempts++
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(layer(settings), scope).pipe(
        Effect.onExit((exit) => (Exit.isFailure(exit) ? Scope.close(scope, Exit.void) : Effect.void))
      )
      return { context, scope }
    }).pipe(
      Effect.catchTag("SocketServerError", (error) =>
        Effect.fail(
          new ListenError({
            what: "runner",
            address: `${settings.listen.host}:${settings.listen.port}`,
            reason: causeText(error)
          })
        )
      ),
      Effect.catchCause((cause) => {
        const text = Cause.pretty(cause)
        return /SqlError/.test(text) && !/ClusterStorageError/.test(text)
          ? Effect.fail(new StorageUnavailable({ storage, attempts, reason: text.split("\n")[0] ?? "" }))
          : Effect.failCause(cause)
      }),
      Effect.tapError((error) =>
        error._tag === "StorageUnavailable"
          ? Effect.logWarning(`runner start: ${error.message}; retrying`)
          : Effect.void
      ),
      Effect.retry({
        while: (error) => error._tag === "StorageUnavailable",
        times: 29,
        schedule: Schedule.spaced("1 second")
      })
    )
    const status = Context.get(context, RunnerStatus)
    yield* Effect.logInfo("runner started").pipe(
      Effect.annotateLogs({
        runner: settings.name,
        storage,
        listen: `${settings.listen.host}:${settings.listen.port}`,
        advertise: `${settings.advertise.host}:${settings.advertise.port}`,
        probes: `${settings.health.host}:${status.probePort}`,
        agents: status.kinds.join(","),
        tls: settings.tls !== undefined
      })
    )
    if (options.onStarted !== undefined) yield* options.onStarted(status)
    yield* options.shutdown.pipe(Effect.onInterrupt(() => Scope.close(scope, Exit.void)))
    const started = Date.now()
    yield* status.startDrain
    yield* Effect.logInfo("runner draining").pipe(Effect.annotateLogs({ runner: settings.name }))
    const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
    const closed = yield* Fiber.await(closing).pipe(Effect.timeoutOption(settings.drainTimeout))
    if (closed._tag === "None") {
      return yield* new DrainTimeout({ runner: settings.name, timeoutMillis: Duration.toMillis(settings.drainTimeout) })
    }
    yield* Effect.logInfo("runner drained").pipe(
      Effect.annotateLogs({ runner: settings.name, millis: Date.now() - started })
    )
  }).pipe(Effect.provide(logger(settings)))
