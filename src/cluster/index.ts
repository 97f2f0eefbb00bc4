/**
 * mabeam on `effect/cluster` (`mabeam/cluster`): agent definitions deployed as cluster entities
 * (virtual agents with saved state, passivation and reactivation), refs that reach them on any
 * runner, the state store, and a registry backend shared by every runner.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { ClusterAgent } from "mabeam/cluster"
 *
 * const Counter = ClusterAgent.make(counter, { state: Schema.Number, replies: { Get: Schema.Number } })
 * const program = Effect.gen(function*() {
 *   const refs = yield* Counter.client   // on any runner
 *   yield* refs("counter-42").tell(Increment.make({ by: 1 }))
 *   return yield* refs("counter-42").ask(Get.make({}))
 * })   // provide Counter.layer with a runner and AgentStateStore.layerSql
 * ```
 *
 * @since 0.2.0
 */
export * as ClusterAgent from "./ClusterAgent.ts"
export type { ClusterAgentOptions, PersistPolicy, ReplySchemas, RequestTag } from "./ClusterAgent.ts"
export type { AgentCounts, ClusterRef } from "./ClusterRef.ts"
/** One ref interface for local and cluster agents, and directories of them by id. */
export * as Agents from "./Agents.ts"
export * as AgentStateStore from "./AgentStateStore.ts"
export type { AgentStateStoreShape, SqlStateStoreOptions } from "./AgentStateStore.ts"
export { StateStoreError } from "./AgentStateStore.ts"
/** The cluster registry backend: one entity per namespace (`layerHost` on runners, `layer` for clients). */
export * as ClusterRegistry from "./ClusterRegistry.ts"
export type { ClusterRegistryOptions } from "./ClusterRegistry.ts"
/** Where a cluster keeps its tables, by one string: a SQLite file or a `postgres://` URL. */
export * as ClusterStorage from "./ClusterStorage.ts"
export type { StorageSpec } from "./ClusterStorage.ts"
export { ClusterStorageError } from "./ClusterStorage.ts"
/** Failover settings (runner health checks, shard locks) and a socket runner that applies them. */
export * as Failover from "./Failover.ts"
export type { FailoverSettings, SocketRunnerOptions } from "./Failover.ts"
/** Secure inter-node communication: runners that authenticate each other with mutual TLS. */
export * from "./secure/index.ts"
