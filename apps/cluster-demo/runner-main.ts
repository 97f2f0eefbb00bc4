/**
 * One runner of the cluster demo, in its own process:
 *
 *   node apps/cluster-demo/runner-main.ts PORT NAME SEED STORAGE
 *
 * listens on 127.0.0.1:PORT, hosts the demo team of run SEED under the name NAME, keeps the cluster
 * tables in STORAGE (a SQLite file or a `postgres://` URL), prints `ready` once it is part of the
 * cluster, and stops (releasing its shards) on SIGTERM, SIGINT or when its stdin closes.
 */
import { createInterface } from "node:readline"
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, References } from "effect"
import { ClusterStorage } from "../../src/cluster/index.ts"
import { runnerLayer } from "./team.ts"

const [port, name, seed, storage] = process.argv.slice(2)
if (port === undefined || name === undefined || seed === undefined || storage === undefined) {
  console.error("usage: runner-main.ts PORT NAME SEED STORAGE")
  process.exit(2)
}

const main = Effect.gen(function* () {
  // Stops with the parent, even when the parent dies without a signal.
  createInterface({ input: process.stdin }).on("close", () => process.kill(process.pid, "SIGTERM"))
  process.stdout.write("ready\n")
  return yield* Effect.never
}).pipe(
  Effect.provide(runnerLayer({ port: Number(port), name, seed }).pipe(Layer.provide(ClusterStorage.layer(storage)))),
  Effect.provideService(References.MinimumLogLevel, "Warn")
)

NodeRuntime.runMain(main)
