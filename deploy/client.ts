/**
 * A client of the example cluster, for the README's walk-through: it joins the cluster on STORAGE
 * as a client-only member (hosts nothing), increments counters `c-0` to `c-(N-1)` and reads them
 * back, printing where it got.
 *
 *   node deploy/client.ts STORAGE [N] [SHARDS_PER_GROUP]
 */
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { ClusterStorage, Failover } from "../src/cluster/index.ts"
import { Counter, Get, Increment } from "./agents.ts"

const [storage, count = "10", shards = "300"] = process.argv.slice(2)
if (storage === undefined) {
  console.error("usage: node deploy/client.ts STORAGE [N] [SHARDS_PER_GROUP]")
  process.exit(2)
}

const program = Effect.gen(function*() {
  const counters = yield* Counter.client
  const ids = Array.from({ length: Number(count) }, (_, i) => `c-${i}`)
  yield* Effect.forEach(ids, (id) => counters(id).tell(Increment.make({ by: 1 })), { concurrency: 8, discard: true })
  const values = yield* Effect.forEach(ids, (id) => counters(id).ask(Get.make({})), { concurrency: 8 })
  yield* Console.log(ids.map((id, i) => `${id}=${values[i]}`).join(" "))
}).pipe(
  Effect.provide(
    NodeClusterSocket.layer({
      clientOnly: true,
      storage: "sql",
      shardingConfig: { shardsPerGroup: Number(shards), ...Failover.shardingConfig(Failover.fast) }
    }).pipe(Layer.provide(ClusterStorage.layer(storage)))
  )
)

NodeRuntime.runMain(program)
