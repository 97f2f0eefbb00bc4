/**
 * The runner used by the loopback tests, in the test process and in child processes: a socket
 * runner on 127.0.0.1:`port`, cluster tables and agent state in the SQL database in context, the
 * loopback counter and the cluster registry hosted. Short intervals so failover fits in a test.
 */
import { createServer } from "node:net"
import { NodeClusterSocket } from "@effect/platform-node"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { EntityId, RunnerAddress, Sharding } from "effect/cluster"
import type { SqlClient } from "effect/sql"
import { AgentStateStore, ClusterRegistry } from "../../src/cluster/index.ts"
import { ClusterCounter } from "./fixtures.ts"

export const LoopbackCounter = ClusterCounter({ kind: "loopback-counter" })

export const runnerLayer = (port: number) =>
  Layer.mergeAll(LoopbackCounter.layer, ClusterRegistry.layerHost(), ClusterRegistry.layer()).pipe(
    Layer.provideMerge(NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: {
        runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port)),
        shardsPerGroup: 32,
        refreshAssignmentsInterval: "200 millis",
        shardLockRefreshInterval: "1 second",
        shardLockExpiration: "3 seconds",
        entityMessagePollInterval: "200 millis",
        runnerHealthCheckInterval: "1 second",
        entityTerminationTimeout: "2 seconds"
      }
    })),
    Layer.provideMerge(AgentStateStore.layerSql)
  )

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export const freePort = Effect.callback<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** Starts a runner in its own scope, so the test can stop it. */
export const startRunner = (sql: Context.Context<SqlClient.SqlClient>, port: number) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    // Stopped before the test's SQL database closes, unless the test stops it first.
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    const context = yield* Layer.buildWithScope(runnerLayer(port).pipe(Layer.provide(Layer.succeedContext(sql))), scope)
    return { scope, context, sharding: Context.get(context, Sharding.Sharding) }
  })

/** Which of `shardings` holds the shard of entity `id` right now (-1: none of them). */
export const ownerOf = (shardings: ReadonlyArray<Sharding.Sharding["Service"]>, id: string) =>
  shardings.findIndex((s) => s.hasShardId(s.getShardId(EntityId.make(id), "default")))

