/** README "Registry": the whole block. */
// README:begin
import { Effect, Layer } from "effect"
import { Registry, SqlBackend } from "mabeam/registry"
import { SqliteClient } from "mabeam/sql"

const program = Effect.gen(function*() {
  const registry = yield* Registry
  yield* registry.register("auctioneer-1", { node: "local", id: "agent-1" }, { node: "a", capabilities: ["auction"] })
  yield* registry.register("planner-1", { node: "local", id: "agent-2" }, { node: "a", capabilities: ["plan"] })
  const found = yield* registry.select({ capabilities: "auction", node: "a" })   // [auctioneer-1]
}).pipe(Effect.scoped)
await Effect.runPromise(program.pipe(Effect.provide(Registry.layer)))          // memory, namespace "default"
const durable = Registry.layerWith({ namespace: "tenant-a",
  backend: SqlBackend.layer.pipe(Layer.provide(SqliteClient.layer({ filename: "registry.db" }))) })
// README:end
