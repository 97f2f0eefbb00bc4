/**
 * A client-only member of a test cluster: it sends to the agents of `test/runner/agents.ts` on the
 * runner processes and hosts none. Over the cluster's storage (SQLite file or Postgres URL).
 */
import { NodeClusterSocket } from "@effect/platform-node"
import { Layer } from "effect"
import { ClusterStorage, Failover } from "../../src/cluster/index.ts"

/** The client's sharding (client-only) over `storage`, with `shardsPerGroup` as the runners. */
export const clientLayer = (storage: string, shardsPerGroup: number) =>
  NodeClusterSocket.layer({
    clientOnly: true,
    storage: "sql",
    shardingConfig: { shardsPerGroup, ...Failover.shardingConfig(Failover.fast) }
  }).pipe(Layer.provideMerge(ClusterStorage.layer(storage)))
