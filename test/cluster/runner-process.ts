/**
 * A runner in its own process, for the crash tests: `node test/cluster/runner-process.ts PORT STORAGE`
 * hosts the loopback counter on 127.0.0.1:PORT with its cluster tables and agent state in STORAGE
 * (a SQLite file path, or a `postgres://` URL: see `ClusterStorage`), prints `ready` and runs until
 * it is killed or its stdin closes.
 *
 * It answers one query on stdin: the line `holds ID,ID,...` is answered with the line
 * `holds ID,ID,...` listing those of the ids whose shards this runner holds now.
 */
import { createInterface } from "node:readline"
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { EntityId, Sharding } from "effect/cluster"
import { ClusterStorage } from "../../src/cluster/index.ts"
import { runnerLayer } from "./runner-layer.ts"

const [port, storage] = process.argv.slice(2)
if (port === undefined || storage === undefined) throw new Error("usage: runner-process.ts PORT STORAGE")

const main = Effect.gen(function* () {
  const sharding = yield* Sharding.Sharding
  const lines = createInterface({ input: process.stdin })
  // Ends with the parent: the test never leaves a runner behind.
  lines.on("close", () => process.exit(0))
  lines.on("line", (line) => {
    if (!line.startsWith("holds ")) return
    const ids = line
      .slice("holds ".length)
      .split(",")
      .filter((id) => id.length > 0)
    const held = ids.filter((id) => sharding.hasShardId(sharding.getShardId(EntityId.make(id), "default")))
    process.stdout.write(`holds ${held.join(",")}\n`)
  })
  process.stdout.write("ready\n")
  return yield* Effect.never
}).pipe(Effect.provide(runnerLayer(Number(port)).pipe(Layer.provide(ClusterStorage.layer(storage)))))

NodeRuntime.runMain(main)
