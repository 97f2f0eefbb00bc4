/**
 * The agents a runner hosts come from a module the operator names (`--agents`): every export that
 * is a `ClusterAgent` (the value `ClusterAgent.make` returns), or an array of them, is hosted. The
 * same module is what clients import to get refs, so runners and clients agree on the kinds.
 * The runner provides what every cluster agent needs (`Sharding`, `AgentStateStore`) and nothing
 * else: an agent whose handler needs another service must be embedded with `Runner.layer` in a
 * program that provides it.
 *
 * @example
 * ```ts
 * // agents.ts, given to `mabeam runner --agents ./agents.ts`
 * export const Counter = ClusterAgent.make(counter, { state: Schema.Number, replies: { Get: Schema.Number } })
 * ```
 *
 * @since 0.4.0
 */
import { pathToFileURL } from "node:url"
import { Effect, Layer, Schema } from "effect"
import type { ClusterAgent } from "../cluster/index.ts"

/**
 * The agents module could not be loaded, or exports no `ClusterAgent`.
 *
 * @since 0.1.0
 * @category errors
 */
export class AgentModuleError extends Schema.TaggedError<AgentModuleError>()("AgentModuleError", {
  module: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `agents module ${this.module}: ${this.reason}`
  }
}

// A dynamically loaded agent's requirements are unknown to the type system: the runner provides
// what every cluster agent needs (Sharding, AgentStateStore) and nothing else.
/**
 * A `ClusterAgent` of any state, message and error type, as found in a module.
 *
 * @since 0.1.0
 * @category models
 */
export type AnyClusterAgent = ClusterAgent.ClusterAgent<unknown, unknown, unknown, never>

/**
 * Whether `value` has the shape of a `ClusterAgent`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isClusterAgent = (value: unknown): value is AnyClusterAgent =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { kind?: unknown }).kind === "string" &&
  Layer.isLayer((value as { layer?: unknown }).layer) &&
  typeof (value as { entity?: unknown }).entity === "object" &&
  "client" in value &&
  "definition" in value

/**
 * The `ClusterAgent`s a module's exports hold (export order; arrays flattened, duplicates
 * removed). Fails with `AgentModuleError` when two different agents share a kind, or none is found.
 *
 * @since 0.1.0
 * @category utils
 */
export const agentsOf = (
  module: string,
  exports: Readonly<Record<string, unknown>>
): Effect.Effect<ReadonlyArray<AnyClusterAgent>, AgentModuleError> =>
  Effect.suspend(() => {
    const found: Array<AnyClusterAgent> = []
    for (const value of Object.values(exports)) {
      for (const candidate of Array.isArray(value) ? value : [value]) {
        if (isClusterAgent(candidate) && !found.includes(candidate)) found.push(candidate)
      }
    }
    if (found.length === 0) {
      return Effect.fail(
        new AgentModuleError({ module, reason: "it exports no ClusterAgent (the value ClusterAgent.make returns)" })
      )
    }
    const kinds = new Set<string>()
    for (const agent of found) {
      if (kinds.has(agent.kind)) {
        return Effect.fail(
          new AgentModuleError({ module, reason: `two exported agents have the kind "${agent.kind}"` })
        )
      }
      kinds.add(agent.kind)
    }
    return Effect.succeed(found)
  })

/**
 * Imports `path` (absolute) and returns its `ClusterAgent`s; fails with `AgentModuleError`.
 *
 * @since 0.1.0
 * @category utils
 */
export const load = (path: string): Effect.Effect<ReadonlyArray<AnyClusterAgent>, AgentModuleError> =>
  Effect.tryPromise({
    try: () => import(pathToFileURL(path).href) as Promise<Readonly<Record<string, unknown>>>,
    catch: (error) =>
      new AgentModuleError({
        module: path,
        reason: `cannot be imported: ${error instanceof Error ? error.message : String(error)}`
      })
  }).pipe(Effect.flatMap((exports) => agentsOf(path, exports)))
