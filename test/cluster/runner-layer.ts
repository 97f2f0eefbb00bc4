/**
 * The runner used by the loopback tests, in the test process and in child processes: a socket
 * runner on 127.0.0.1:`port`, cluster tables and agent state in the SQL database in context, the
 * loopback counter and the cluster registry hosted. Short intervals so failover fits in a test.
 */
import { NodeClusterSocket, NodeCrypto } from "@effect/platform-node"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import {
  EntityId,
  RunnerAddress,
  Runners,
  Sharding,
  ShardingConfig,
  SocketRunner,
  SqlMessageStorage,
  SqlRunnerStorage
} from "effect/cluster"
import { RpcSerialization } from "effect/rpc"
import type { SqlClient } from "effect/sql"
import { AgentStateStore, ClusterRegistry, Failover } from "../../src/cluster/index.ts"
import { ClusterCounter } from "./fixtures.ts"

export const LoopbackCounter = ClusterCounter({ kind: "loopback-counter" })
/** The counter saved every 4 changes (and on passivation). */
export const LoopbackEvery = ClusterCounter({ kind: "loopback-every", persist: { every: 4 } })
/** The counter saved on passivation only, which comes after one idle second. */
export const LoopbackPassivate = ClusterCounter({
  kind: "loopback-passivate",
  persist: "on-passivate",
  maxIdleTime: "1 second"
})

/** The sharding settings of every test runner: few shards, short intervals, `Failover.fast`. */
export const testShardingConfig = {
  shardsPerGroup: 32,
  entityMessagePollInterval: "200 millis",
  entityTerminationTimeout: "2 seconds",
  ...Failover.shardingConfig(Failover.fast)
} satisfies Partial<ShardingConfig.ShardingConfig["Service"]>

export const runnerLayer = (port: number) =>
  Layer.mergeAll(
    LoopbackCounter.layer,
    LoopbackEvery.layer,
    LoopbackPassivate.layer,
    ClusterRegistry.layerHost(),
    ClusterRegistry.layer()
  ).pipe(
    Layer.provideMerge(
      Failover.socketRunner({
        shardingConfig: { ...testShardingConfig, runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port)) }
      })
    ),
    Layer.provideMerge(AgentStateStore.layerSql)
  )

/** Where a routed runner listens, what it advertises, and how it reaches the others. */
export interface RoutedRunnerOptions {
  /** The port it listens on (127.0.0.1). */
  readonly listen: number
  /** The port it advertises to the other runners (e.g. the one of a proxy in front of it). */
  readonly advertise: number
  /** Maps the advertised address of another runner to the address this runner dials. */
  readonly route: (address: RunnerAddress.RunnerAddress) => RunnerAddress.RunnerAddress
}

/**
 * The socket runner of `NodeClusterSocket.layer({ storage: "sql" })`, put together by hand so the
 * runner can listen on one port, advertise another, and dial the others through `route` (its
 * messages and its health-check pings alike). The partition tests put proxies on both paths.
 */
export const routedRunnerLayer = (options: RoutedRunnerOptions) => {
  const protocol = Layer.effect(Runners.RpcClientProtocol)(
    Effect.gen(function* () {
      const direct = yield* Runners.RpcClientProtocol
      return { codecFor: direct.codecFor, make: (address) => direct.make(options.route(address)) }
    })
  ).pipe(Layer.provide(NodeClusterSocket.layerClientProtocol))
  const health = Failover.runnerHealth(Failover.fast).pipe(Layer.provide(Runners.layerRpc), Layer.provide(protocol))
  const sharding = SocketRunner.layer.pipe(
    Layer.provide([NodeClusterSocket.layerSocketServer, protocol, health]),
    Layer.provideMerge(SqlMessageStorage.layer.pipe(Layer.provide(NodeCrypto.layerDigest))),
    Layer.provide(Layer.orDie(SqlRunnerStorage.layer)),
    Layer.provide(
      ShardingConfig.layer({
        ...testShardingConfig,
        runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", options.advertise)),
        runnerListenAddress: Option.some(RunnerAddress.make("127.0.0.1", options.listen))
      })
    ),
    Layer.provide(RpcSerialization.layerSchemaBinary())
  )
  return LoopbackCounter.layer.pipe(Layer.provideMerge(sharding), Layer.provideMerge(AgentStateStore.layerSql))
}

/** Starts a runner in its own scope, so the test can stop it. */
export const startRunner = (sql: Context.Context<SqlClient.SqlClient>, port: number) =>
  startRunnerLayer(sql, runnerLayer(port))

/** Starts the runner `layer` in its own scope, so the test can stop it. */
export const startRunnerLayer = <A, E>(
  sql: Context.Context<SqlClient.SqlClient>,
  layer: Layer.Layer<Sharding.Sharding | A, E, SqlClient.SqlClient>
) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    // Stopped before the test's SQL database closes, unless the test stops it first.
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    const context = yield* Layer.buildWithScope(layer.pipe(Layer.provide(Layer.succeedContext(sql))), scope)
    return { scope, context, sharding: Context.get(context, Sharding.Sharding) }
  })

/** Which of `shardings` holds the shard of entity `id` right now (-1: none of them). */
export const ownerOf = (shardings: ReadonlyArray<Sharding.Sharding["Service"]>, id: string) =>
  shardings.findIndex((s) => s.hasShardId(s.getShardId(EntityId.make(id), "default")))

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export { freePort } from "../../src/transport/index.ts"
