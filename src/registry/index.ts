/**
 * The registry capability (`mabeam/registry`): find agents by key and by metadata, with entries
 * owned by scopes. See `Registry.ts` for the service, `RegistryBackend.ts` for the backend contract.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Registry } from "mabeam/registry"
 *
 * const program = Effect.gen(function*() {
 *   const registry = yield* Registry
 *   yield* registry.register("auctioneer-1", { node: "local", id: "agent-1" }, { capabilities: ["auction"] })
 *   return yield* registry.select({ capabilities: "auction" })   // [auctioneer-1]
 * }).pipe(Effect.scoped, Effect.provide(Registry.layer))
 * ```
 *
 * @since 0.1.0
 */
export { Registry, type RegistryOptions, type RegistryShape } from "./Registry.ts"
export { type NewEntry, RegistryBackend, type RegistryBackendShape } from "./RegistryBackend.ts"
export { AlreadyRegistered, BackendUnavailable, ChangesLagged, NotRegistered } from "./RegistryError.ts"
export {
  Entry,
  Metadata,
  MetadataScalar,
  MetadataValue,
  Namespace,
  RegistryChange,
  RegistryKey,
  RegistryValue,
  Selector
} from "./schema.ts"
/** The in-memory backend (the default): `MemoryBackend.layer`, `MemoryBackend.layerWith(options)`. */
export * as MemoryBackend from "./backends/memory.ts"
/** The SQL backend, for durable entries: `SqlBackend.layer` needs an `SqlClient` (e.g. `SqliteClient.layer`). */
export * as SqlBackend from "./backends/sql.ts"
