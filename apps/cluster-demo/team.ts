/**
 * The team of the cluster demo, as deployed on every runner: the flagship's iris workers
 * (`makeWorker`, unchanged) as cluster agents of kind `demo-worker`, and a probe of kind
 * `demo-runner-of` that answers with the name of the runner it lives on.
 *
 * The shard of an agent depends on its id only (not its kind), so the probe with a worker's id
 * lives on the worker's runner: asking it tells which runner serves that worker.
 *
 * @since 0.2.0
 */
import { NodeClusterSocket } from "@effect/platform-node"
import { Layer, Option, Schema } from "effect"
import { RunnerAddress, type ShardingConfig } from "effect/cluster"
import { Agent } from "../../src/agent/index.ts"
import { makeWorker, Train } from "../flagship/agents.ts"
import { AgentStateStore, ClusterAgent, Failover } from "../../src/cluster/index.ts"

/** Asks the probe for the name of its runner. */
export const Where = Agent.request("Where", {}, Schema.String)

/** The reply of a worker to `Train`. */
export const TrainResult = Schema.Struct({ accuracy: Schema.Number })

/** The flagship worker of run `seed` as a cluster agent; its state (trials done) is saved in SQL. */
export const DemoWorker = (seed: string) =>
  ClusterAgent.make(makeWorker(seed), {
    kind: "demo-worker",
    state: Schema.Number,
    replies: { Train: TrainResult },
    maxIdleTime: "1 minute",
    askTimeout: "30 seconds"
  })

/** The probe of the runner named `runner`. */
export const RunnerProbe = (runner: string) =>
  ClusterAgent.make(
    Agent.make({
      name: "demo-runner-of",
      messages: Where,
      initial: () => 0,
      handle: (asked: number, msg, ctx) => {
        ctx.reply(msg, runner)
        return asked
      }
    }),
    { state: Schema.Number, replies: { Where: Schema.String }, askTimeout: "10 seconds" }
  )

/**
 * Failover settings of the demo: `Failover.fast`'s quick health checks, with shard locks tolerant
 * of a runner busy training models (a runner that misses its lock refreshes for
 * `shardLockExpiration` is dropped by the others).
 */
export const demoFailover = Failover.settings({
  healthCheckInterval: "5 seconds",
  pingTimeout: "10 seconds",
  shardLockRefreshInterval: "2 seconds",
  shardLockExpiration: "15 seconds",
  refreshAssignmentsInterval: "200 millis"
})

/** Sharding settings of the demo: few shards, so a small cluster settles fast; with `demoFailover`. */
export const demoShardingConfig = {
  shardsPerGroup: 32,
  entityMessagePollInterval: "200 millis",
  entityTerminationTimeout: "2 seconds",
  ...Failover.shardingConfig(demoFailover)
} satisfies Partial<ShardingConfig.ShardingConfig["Service"]>

/**
 * A demo runner on 127.0.0.1:`port` named `name` (`Failover.socketRunner` with `demoFailover`):
 * hosts the workers of run `seed` and the probe, with the cluster tables and the agents' state in
 * the `SqlClient` provided.
 */
export const runnerLayer = (options: { readonly port: number; readonly name: string; readonly seed: string }) =>
  Layer.mergeAll(DemoWorker(options.seed).layer, RunnerProbe(options.name).layer).pipe(
    Layer.provideMerge(
      Failover.socketRunner({
        shardingConfig: {
          ...demoShardingConfig,
          runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", options.port))
        },
        failover: demoFailover
      })
    ),
    Layer.provideMerge(AgentStateStore.layerSql)
  )

/** The coordinator's node: a client-only member of the cluster (it hosts no shard). */
export const clientLayer = NodeClusterSocket.layer({
  clientOnly: true,
  storage: "sql",
  shardingConfig: demoShardingConfig
})

export { Train }
