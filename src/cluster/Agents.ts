/**
 * Location transparency: one handle for local and cluster agents, so an agent definition and the
 * code that calls it move between `AgentSystem` (one process) and the cluster with a layer change.
 *
 * Callers ask a directory for `Agents.Ref`s by id. `Agents.local(key, definition)` backs it with
 * agents spawned in the `AgentSystem` (on first use of an id, then the same running agent);
 * `Agents.cluster(key, deployed)` with the virtual agents of a `ClusterAgent` (on any runner).
 * Both refs have the same `tell` and `ask` (typed replies, typed errors) and `counts`.
 *
 * @example
 * ```ts
 * const Counters = Agents.key<CounterMessage>("counters")
 * const program = Effect.gen(function*() {
 *   const counters = yield* Counters
 *   const c = yield* counters.ref("c-1")
 *   yield* c.tell(Increment.make({ by: 1 }))
 *   return yield* c.ask(Get.make({}))
 * })
 * program.pipe(Effect.provide(Agents.local(Counters, Counter)))                 // one process
 * program.pipe(Effect.provide(Agents.cluster(Counters, ClusterCounter)), ...)   // the cluster
 * ```
 *
 * @since 0.3.0
 */
import { Context, Effect, Layer, Semaphore } from "effect"
import type { Sharding } from "effect/cluster"
import {
  type AgentDefinition,
  type AgentRef,
  AgentSystem,
  type AskError,
  type AskOptions,
  type ReplyOf,
  type SpawnError,
  type TellError
} from "../agent/index.ts"
import type { InvalidInput } from "../errors/index.ts"
import type { ClusterAgent } from "./ClusterAgent.ts"
import type { AgentCounts } from "./ClusterRef.ts"

/**
 * A handle on an agent wherever it runs: `AgentRef` and `ClusterRef` both fit it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Ref<M> {
  /** The agent's id. */
  readonly id: string
  /** The agent's kind. */
  readonly kind: string
  /** Sends a message (see `AgentRef.tell`, `ClusterRef.tell`). */
  readonly tell: (message: M) => Effect.Effect<void, TellError | InvalidInput>
  /** Sends a request and waits for its reply (see `AgentRef.ask`, `ClusterRef.ask`). */
  readonly ask: <Req extends M>(
    request: Req,
    options?: AskOptions
  ) => Effect.Effect<ReplyOf<Req>, AskError | InvalidInput>
  /** Messages handled, and waiting where the host can say (a local agent always can). */
  readonly counts: Effect.Effect<AgentCounts, AskError>
}

/**
 * A directory of agents of one kind, by id.
 *
 * @since 0.1.0
 * @category models
 */
export interface Directory<M> {
  /** The agent `id`: a local agent is spawned on first use; a cluster agent always exists. */
  readonly ref: (id: string) => Effect.Effect<Ref<M>, SpawnError>
}

/**
 * The service key of a directory of agents whose messages are `M`.
 *
 * @since 0.1.0
 * @category models
 */
export type Key<M> = Context.Service<Directory<M>, Directory<M>>

/**
 * Makes the key under which callers find the directory `name`.
 *
 * @since 0.1.0
 * @category utils
 */
export const key = <M>(name: string): Key<M> => Context.Service<Directory<M>>(`mabeam/cluster/Agents/${name}`)

/**
 * Wraps a local `AgentRef` as a `Ref`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromAgentRef = <M>(ref: AgentRef<M>): Ref<M> => ({
  id: ref.id,
  kind: ref.kind,
  tell: (message) => ref.tell(message),
  ask: (request, options) => ref.ask(request, options),
  counts: Effect.sync(() => ({ handled: ref.handledCount(), mailbox: ref.mailboxSize() }))
})

/**
 * The directory `key` over the `AgentSystem`: `ref(id)` is the running agent `id`, spawned from
 * `definition` if it is not running (again after it stopped for good). Agents live as long as the
 * system; the directory holds no more entries than the agents it spawned that still run.
 *
 * @since 0.1.0
 * @category utils
 */
export const local = <S, M, E, R>(
  key: Key<M>,
  definition: AgentDefinition<S, M, E, R>
): Layer.Layer<Directory<M>, never, AgentSystem | R> =>
  Layer.effect(key)(
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const services = yield* Effect.context<R>()
      const refs = new Map<string, Ref<M>>()
      const alive = new Map<string, AgentRef<M>>()
      // One spawn at a time, so two first uses of an id make one agent.
      const spawning = Semaphore.makeUnsafe(1)
      const lookup = (id: string): Ref<M> | undefined => {
        const ref = alive.get(id)
        if (ref !== undefined && ref.isAlive()) return refs.get(id)
        alive.delete(id)
        refs.delete(id)
        return undefined
      }
      return {
        ref: (id) =>
          Effect.suspend(() => {
            const known = lookup(id)
            if (known !== undefined) return Effect.succeed(known)
            return spawning.withPermits(1)(
              Effect.suspend(() => {
                const again = lookup(id)
                if (again !== undefined) return Effect.succeed(again)
                return system.spawn(definition, { id }).pipe(
                  Effect.provideContext(services),
                  Effect.map((agent) => {
                    const ref = fromAgentRef(agent)
                    alive.set(id, agent)
                    refs.set(id, ref)
                    return ref
                  })
                )
              })
            )
          })
      }
    })
  )

/**
 * The directory `key` over a deployed `ClusterAgent`: `ref(id)` reaches the virtual agent `id`.
 *
 * @since 0.1.0
 * @category utils
 */
export const cluster = <S, M, E, R>(
  key: Key<M>,
  deployed: ClusterAgent<S, M, E, R>
): Layer.Layer<Directory<M>, never, Sharding.Sharding> =>
  Layer.effect(key)(Effect.map(deployed.client, (refs) => ({ ref: (id: string) => Effect.succeed(refs(id)) })))
