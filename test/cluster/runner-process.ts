/**
 * A runner in its own process, for the crash tests: `node test/cluster/runner-process.ts PORT DB`
 * hosts the loopback counter on 127.0.0.1:PORT with its cluster tables and agent state in the
 * SQLite file DB, prints `ready` and runs until it is killed (or its parent goes away).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { SqliteClient } from "../../src/sql/index.ts"
import { runnerLayer } from "./runner-layer.ts"

const [port, filename] = process.argv.slice(2)
if (port === undefined || filename === undefined) throw new Error("usage: runner-process.ts PORT DB")

// Ends with the parent: the test never leaves a runner behind.
process.stdin.on("end", () => process.exit(0))
process.stdin.resume()

const main = Effect.gen(function*() {
  yield* Effect.sync(() => process.stdout.write("ready\n"))
  return yield* Effect.never
}).pipe(Effect.provide(runnerLayer(Number(port)).pipe(Layer.provide(SqliteClient.layer({ filename })))))

NodeRuntime.runMain(main)
