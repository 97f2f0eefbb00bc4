/**
 * Capability names for the operations mabeam protects, so grants and checks spell them the same.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { AgentDefinition, AgentRef, SpawnError, SpawnOptions } from "../agent/index.ts"
import { AgentSystem } from "../agent/index.ts"
import type { InvalidInput } from "../errors/index.ts"
import { Authorization } from "./Authorization.ts"
import type { Unauthorized } from "./errors.ts"

/**
 * May send `tell` to agent `id` (`agent:tell:<id>`).
 *
 * @since 0.1.0
 * @category utils
 */
export const tell = (id: string): string => `agent:tell:${id}`
/**
 * May send `ask` to agent `id` (`agent:ask:<id>`).
 *
 * @since 0.1.0
 * @category utils
 */
export const ask = (id: string): string => `agent:ask:${id}`
/**
 * May spawn agents (`agent:spawn`).
 *
 * @since 0.1.0
 * @category utils
 */
export const spawn = "agent:spawn"
/**
 * May stop agent `id` (`agent:stop:<id>`).
 *
 * @since 0.1.0
 * @category utils
 */
export const stop = (id: string): string => `agent:stop:${id}`
/**
 * May link agent `id` to another (`agent:link:<id>`).
 *
 * @since 0.1.0
 * @category utils
 */
export const link = (id: string): string => `agent:link:${id}`
/**
 * May start, stop and restart children of the agent system's supervisors directly (`agent:supervise`).
 *
 * @since 0.1.0
 * @category utils
 */
export const supervise = "agent:supervise"
/**
 * May spend from budget `budget` (`budget:spend:<budget>`).
 *
 * @since 0.1.0
 * @category utils
 */
export const spend = (budget: string): string => `budget:spend:${budget}`
/**
 * May transfer from ledger account `account` (`ledger:transfer:<account>`).
 *
 * @since 0.1.0
 * @category utils
 */
export const transfer = (account: string): string => `ledger:transfer:${account}`

/**
 * Spawns a child of `parent` with least privilege: `parent` must hold `agent:spawn`, and the child
 * gets exactly `grants` — each of which the parent must hold — and nothing else. If the grants
 * cannot be delegated the child is stopped again and the error returned.
 *
 * @example
 * ```ts
 * const child = yield* spawnChild("planner-1", Worker, [Capabilities.tell("db-1")])
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const spawnChild = <S, M, E, R>(
  parent: string,
  definition: AgentDefinition<S, M, E, R>,
  grants: ReadonlyArray<string>,
  options?: SpawnOptions
): Effect.Effect<AgentRef<M>, SpawnError | Unauthorized | InvalidInput, R | AgentSystem | Authorization> =>
  Effect.gen(function* () {
    const authorization = yield* Authorization
    const system = yield* AgentSystem
    yield* authorization.check(parent, spawn)
    const child = yield* system.spawn(definition, options)
    yield* Effect.onError(authorization.delegate(parent, child.id, grants), () =>
      Effect.ignore(system.stop(child as AgentRef<never>))
    )
    return child
  })
