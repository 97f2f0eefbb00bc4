/**
 * How fast a cluster notices a dead runner and moves its agents: effect/cluster's runner health
 * checks and shard lock settings, gathered in one place with two presets.
 *
 * After a runner dies (SIGKILL, power loss) its agents are reachable again once (1) the survivors
 * stop assigning it shards, which takes a failed health check (`healthCheckInterval` plus
 * `pingAttempts` pings, each failing at once on a refused connection, as from a killed process,
 * or after `pingTimeout` on a silent one), and (2) its shard locks are free: on Postgres they are
 * session locks, freed when its connection drops; on SQLite they are rows that expire
 * `shardLockExpiration` after their last refresh.
 *
 * SQLite's clock has whole seconds, and effect/cluster also hides a runner whose heartbeat (its
 * lock refresh) is older than `shardLockExpiration`: at 1 second a live runner vanishes at every
 * second boundary it has not yet refreshed in, and its shards move for nothing. effect/cluster
 * also gives each lock operation the refresh interval as its deadline. So `fast` has locks of
 * 2 s refreshed every 500 ms, and a long ping timeout (2 s): a killed runner's refused
 * connections fail the pings at once, a runner slowed down by load does not.
 *
 * - `Failover.fast` (the default of `Failover.socketRunner`): SIGKILL failover measured at
 *   1.9 s on Postgres and 4.2 s on SQLite (one run each, loopback, loaded machine; with locks of
 *   1 s it was 1.3 s and 2.0 s, but effect's SQLite runner table then hides live runners). A runner that misses
 *   its lock refreshes for about 1.5 s, or whose lock operations take over 500 ms (seen on a
 *   saturated 2-core machine with Postgres: "Shard lock storage is unhealthy"), loses its shards,
 *   which move (their agents saved and reactivated elsewhere) but are never held twice.
 * - `Failover.tolerant`: locks of 3 s refreshed every second (lock operations get 1 s); failover
 *   measured at 3.4 s on Postgres and 4.7 s on SQLite.
 * - `Failover.effectDefaults`: effect/cluster's own settings (health check every minute, locks
 *   for 35 s): failover in tens of seconds, very tolerant of stalls.
 *
 * The lock, not the health check, is what keeps an agent on one runner at a time: a runner wrongly
 * seen as dead (a partition between runners, a slow ping) keeps its shards until its lock expires,
 * and it cannot keep a lock it cannot refresh.
 *
 * @since 0.3.0
 */
import { NodeClusterSocket, NodeCrypto } from "@effect/platform-node"
import { type Config, Duration, Effect, Layer, Option, Schedule } from "effect"
import {
  type MessageStorage,
  RunnerHealth,
  Runners,
  type Sharding,
  ShardingConfig,
  SocketRunner,
  SqlMessageStorage,
  SqlRunnerStorage
} from "effect/cluster"
import { RpcSerialization } from "effect/rpc"
import type { SocketServer } from "effect/socket"
import type { SqlClient } from "effect/sql"
import type { InvalidConfig } from "../config/index.ts"
import { InvalidInput } from "../errors/index.ts"
import { layerOtlpForProcess, notBackgroundDatabase, whenTracing } from "../telemetry/index.ts"

/**
 * The failover settings of a runner.
 *
 * @since 0.1.0
 * @category models
 */
export interface FailoverSettings {
  /** How often a runner checks the health of the others (`runnerHealthCheckInterval`). */
  readonly healthCheckInterval: Duration.Input
  /** How long one health ping may take. */
  readonly pingTimeout: Duration.Input
  /** Pings before a runner is declared unhealthy (at least 1). */
  readonly pingAttempts: number
  /** Pause between two pings of one check. */
  readonly pingRetryInterval: Duration.Input
  /** How long a shard lock lives without a refresh (`shardLockExpiration`). */
  readonly shardLockExpiration: Duration.Input
  /** How often a runner refreshes its locks; at most a third of the expiration. */
  readonly shardLockRefreshInterval: Duration.Input
  /** How often a runner re-reads the shard assignments (`refreshAssignmentsInterval`). */
  readonly refreshAssignmentsInterval: Duration.Input
}

/**
 * Failover in about 2 s on Postgres and 3–4 s on SQLite (see the module comment).
 *
 * @since 0.1.0
 * @category utils
 */
export const fast: FailoverSettings = {
  healthCheckInterval: "250 millis",
  pingTimeout: "2 seconds",
  pingAttempts: 3,
  pingRetryInterval: "200 millis",
  shardLockExpiration: "2 seconds",
  shardLockRefreshInterval: "500 millis",
  refreshAssignmentsInterval: "200 millis"
}

/**
 * As `fast`, with locks of 3 s refreshed every second: for loaded machines and databases.
 *
 * @since 0.1.0
 * @category utils
 */
export const tolerant: FailoverSettings = {
  ...fast,
  shardLockExpiration: "3 seconds",
  shardLockRefreshInterval: "1 second"
}

/**
 * effect/cluster's own settings (`ShardingConfig.defaults`, `RunnerHealth.layerPing`).
 *
 * @since 0.1.0
 * @category utils
 */
export const effectDefaults: FailoverSettings = {
  healthCheckInterval: "1 minute",
  pingTimeout: "10 seconds",
  pingAttempts: 6,
  pingRetryInterval: "500 millis",
  shardLockExpiration: "35 seconds",
  shardLockRefreshInterval: "10 seconds",
  refreshAssignmentsInterval: "3 seconds"
}

const millis = (name: string, input: Duration.Input): number => {
  const duration = Duration.fromInput(input)
  if (duration._tag === "None" || !(Duration.toMillis(duration.value) > 0) || !Duration.isFinite(duration.value)) {
    throw new InvalidInput({
      where: "Failover",
      issue: `${name}: expected a positive, finite duration, got ${String(input)}`
    })
  }
  return Duration.toMillis(duration.value)
}

/**
 * Checks `settings` (over `fast`); throws `InvalidInput` for a duration that is not positive, fewer
 * than one ping, or a lock refreshed less often than three times per expiration.
 *
 * @since 0.1.0
 * @category utils
 */
export const settings = (overrides: Partial<FailoverSettings> = {}): FailoverSettings => {
  const all: FailoverSettings = { ...fast, ...overrides }
  for (const key of [
    "healthCheckInterval",
    "pingTimeout",
    "pingRetryInterval",
    "shardLockExpiration",
    "shardLockRefreshInterval",
    "refreshAssignmentsInterval"
  ] as const) {
    millis(key, all[key])
  }
  if (!Number.isInteger(all.pingAttempts) || all.pingAttempts < 1) {
    throw new InvalidInput({
      where: "Failover",
      issue: `pingAttempts: expected a positive integer, got ${all.pingAttempts}`
    })
  }
  if (
    millis("shardLockRefreshInterval", all.shardLockRefreshInterval) * 3 >
    millis("shardLockExpiration", all.shardLockExpiration)
  ) {
    throw new InvalidInput({
      where: "Failover",
      issue: "shardLockRefreshInterval: must be at most a third of shardLockExpiration"
    })
  }
  return all
}

/**
 * The `ShardingConfig` fields of `failover`, to spread into a runner's sharding config.
 *
 * @since 0.1.0
 * @category utils
 */
export const shardingConfig = (failover: FailoverSettings): Partial<ShardingConfig.ShardingConfig["Service"]> => ({
  runnerHealthCheckInterval: failover.healthCheckInterval,
  shardLockExpiration: failover.shardLockExpiration,
  shardLockRefreshInterval: failover.shardLockRefreshInterval,
  refreshAssignmentsInterval: failover.refreshAssignmentsInterval
})

/**
 * Health by ping, as `RunnerHealth.layerPing` but with the ping timeout, attempts and pause of
 * `failover` (effect's own: 10 s, 6 attempts, 500 ms apart, so at least 2.5 s to see a death).
 * A runner found dead is logged (Warn): the start of a failover, in a root span
 * `mabeam.cluster.failover` (attribute `mabeam.runner.address`) when a tracer is installed.
 *
 * @since 0.1.0
 * @category layers
 */
export const runnerHealth = (
  failover: FailoverSettings
): Layer.Layer<RunnerHealth.RunnerHealth, never, Runners.Runners> =>
  Layer.effect(RunnerHealth.RunnerHealth)(
    Effect.gen(function* () {
      const runners = yield* Runners.Runners
      const timeout = millis("pingTimeout", failover.pingTimeout)
      const schedule = Schedule.spaced(millis("pingRetryInterval", failover.pingRetryInterval))
      return RunnerHealth.RunnerHealth.of({
        isAlive: (address) =>
          runners.ping(address).pipe(
            Effect.timeout(timeout),
            Effect.retry({ times: failover.pingAttempts - 1, schedule }),
            Effect.isSuccess,
            // The failover starts here: a log record (exported with the runner's telemetry), inside a
            // root span `mabeam.cluster.failover` when a tracer is installed.
            Effect.tap((alive) =>
              alive
                ? Effect.void
                : Effect.logWarning(
                    `runner ${address.toString()} failed its health check (${failover.pingAttempts} pings): its shards move once their locks are free`
                  ).pipe(
                    whenTracing(
                      "mabeam.cluster.failover",
                      {
                        "mabeam.runner.address": address.toString(),
                        "mabeam.cluster.ping_attempts": failover.pingAttempts
                      },
                      { root: true }
                    )
                  )
            )
          )
      })
    })
  )

/**
 * Options of `socketRunner`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SocketRunnerOptions {
  /** Sharding settings (the runner's address among them); the failover fields come from `failover`. */
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Service"]> | undefined
  /** Failover settings over `fast`. */
  readonly failover?: Partial<FailoverSettings> | undefined
}

/**
 * The runner of `NodeClusterSocket.layer({ storage: "sql" })` (sockets, binary RPC, message and
 * runner storage in the SQL database in context) with the failover settings of `options.failover`
 * (default `fast`). Throws `InvalidInput` for invalid settings (see `settings`). With
 * `OTEL_EXPORTER_OTLP_ENDPOINT` set it exports its spans and logs there as `mabeam-runner` with its
 * own `service.instance.id` (`InvalidConfig` if the endpoint is not a URL).
 *
 * @since 0.1.0
 * @category utils
 */
export const socketRunner = (
  options: SocketRunnerOptions = {}
): Layer.Layer<
  Sharding.Sharding | Runners.Runners | MessageStorage.MessageStorage,
  SocketServer.SocketServerError | Config.ConfigError | InvalidConfig,
  SqlClient.SqlClient
> => {
  const failover = settings(options.failover)
  const health = runnerHealth(failover).pipe(
    Layer.provide(Runners.layerRpc),
    Layer.provide(NodeClusterSocket.layerClientProtocol)
  )
  return SocketRunner.layer.pipe(
    Layer.provide([NodeClusterSocket.layerSocketServer, NodeClusterSocket.layerClientProtocol, health]),
    Layer.provideMerge(SqlMessageStorage.layer.pipe(Layer.provide(NodeCrypto.layerDigest))),
    Layer.provide(Layer.orDie(SqlRunnerStorage.layer)),
    Layer.provide(ShardingConfig.layerFromEnv({ ...options.shardingConfig, ...shardingConfig(failover) })),
    Layer.provide(RpcSerialization.layerSchemaBinary()),
    // With OTEL_EXPORTER_OTLP_ENDPOINT set, the runner and the agents it hosts export their own
    // spans and logs (effect/cluster carries the caller's span in each request).
    Layer.provideMerge(
      layerOtlpForProcess({
        serviceName: "mabeam-runner",
        serviceInstanceId: runnerInstanceId(options),
        sampleRoot: notBackgroundDatabase
      })
    )
  )
}

// This runner's `service.instance.id`: its advertised address and process id.
const runnerInstanceId = (options: SocketRunnerOptions): string => {
  const address = options.shardingConfig?.runnerAddress
  const where =
    address !== undefined && Option.isSome(address) ? `${address.value.host}:${address.value.port}` : "unaddressed"
  return `mabeam-runner-${where}-${process.pid}`
}
