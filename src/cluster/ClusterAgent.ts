/**
 * Agents as `effect/cluster` entities: virtual agents, addressed by id, that exist whether or
 * not they are in memory (as Orleans grains do).
 *
 * `ClusterAgent.make(definition, options)` deploys an `Agent.make` definition unchanged. Its
 * `layer` registers the entity with `Sharding`; `client` gives refs with the same `tell` / `ask`
 * and typed replies as a local `AgentRef`, to an agent on this runner or on any other.
 *
 * Life of a cluster agent: the first message to an id activates it on the runner that owns the id's
 * shard, with the state saved in `AgentStateStore` (or `initial` if none). Messages are handled one
 * at a time; the state is saved as `persist` says (by default after each message that changed it,
 * before the reply is sent, group-committed with the saves of the runner's other agents).
 * After `maxIdleTime` without messages the agent passivates (leaves memory); the next message
 * reactivates it, here or on another runner after a failover, with its state. A handler failure
 * drops its message and keeps the previous state; an `ask` of it fails with `AgentStopped`.
 *
 * Wire format: two generic Rpcs, `Tell` and `Ask`, carry the message encoded by the agent's own
 * Schema, so a definition deploys without one Rpc per message tag; replies are encoded with the
 * Schemas in `options.replies` (the reply Schema given to `Agent.request` is not kept at runtime).
 *
 * @example
 * ```ts
 * const Counter = ClusterAgent.make(counterDefinition, {
 *   state: Schema.Number,
 *   replies: { Get: Schema.Number },
 *   maxIdleTime: "1 minute"
 * })
 * const program = Effect.gen(function*() {
 *   const counters = yield* Counter.client
 *   yield* counters("counter-42").tell(Increment.make({ by: 1 }))
 *   const n = yield* counters("counter-42").ask(Get.make({}))
 * }).pipe(Effect.provide(Counter.layer), ...)
 * ```
 *
 * @since 0.2.0
 */
import { Duration, Effect, Layer, Schema } from "effect"
import type { Sharding } from "effect/cluster"
import type { AgentDefinition, ReplyOf } from "../agent/index.ts"
import { InvalidInput } from "../errors/index.ts"
import type { AgentStateStore } from "./AgentStateStore.ts"
import { type ClusterRef, makeRefs } from "./ClusterRef.ts"
import { makeHandlers, type Persist } from "./internal/host.ts"
import { type AgentEntity, makeEntity } from "./internal/protocol.ts"

/**
 * The `_tag`s of the messages in `M` that are answered (made with `Agent.request`).
 *
 * @since 0.1.0
 * @category models
 */
export type RequestTag<M> = M extends { readonly _tag: infer T extends string }
  ? [ReplyOf<M>] extends [never]
    ? never
    : unknown extends ReplyOf<M>
      ? never
      : T
  : never

/**
 * One reply Schema per request tag of `M`, typed by the request's reply type.
 *
 * @since 0.1.0
 * @category models
 */
export type ReplySchemas<M> = {
  readonly [K in RequestTag<M>]: Schema.Codec<ReplyOf<Extract<M, { readonly _tag: K }>>, unknown>
}

/**
 * When a cluster agent's state is saved, and so what a SIGKILL of its runner can lose. Saves of
 * all the agents of a runner are group-committed (one transaction per tick, see `AgentStateStore`).
 *
 * - `"on-change"` (default): after every message that changed the state, before the agent replies
 *   or takes its next message. Durability: every state a reply reported, and every change an
 *   acknowledged `ask` depended on, survives a SIGKILL. Tells are acknowledged on arrival (unless
 *   the kind is `persisted`), so a tell not yet handled when the runner dies is lost.
 * - `{ every: N, within: T }`: after every N changes, T after the first unsaved change (if `within`
 *   is given), on passivation, on shard hand-off and on graceful shutdown. Durability: a SIGKILL
 *   loses at most the last N − 1 changes, and none older than T; the reply to the message that
 *   completes N is sent after the commit. Use for hot agents whose recent changes can be replayed.
 * - `"on-passivate"`: only when the agent leaves memory (passivation, shard hand-off, graceful
 *   shutdown). Durability: a SIGKILL loses every change since the agent was activated; what a
 *   passivation saved survives. Use for caches and aggregates that can be rebuilt.
 *
 * @since 0.1.0
 * @category models
 */
export type PersistPolicy =
  | "on-change"
  | "on-passivate"
  | { readonly every: number; readonly within?: Duration.Input | undefined }

/**
 * Checks a policy; throws `InvalidInput` when `every` is not a positive integer or `within` is not
 * a positive duration.
 *
 * @since 0.1.0
 * @category utils
 */
export const persistPolicy = (policy: PersistPolicy | undefined): Persist => {
  if (policy === undefined || policy === "on-change") return { _tag: "OnChange" }
  if (policy === "on-passivate") return { _tag: "OnPassivate" }
  if (typeof policy !== "object" || policy === null || !Number.isInteger(policy.every) || policy.every < 1) {
    throw new InvalidInput({
      where: "ClusterAgent.make",
      issue: `persist: expected "on-change", "on-passivate" or { every: positive integer, within? }, got ${JSON.stringify(policy)}`
    })
  }
  if (policy.within === undefined) return { _tag: "Every", messages: policy.every, within: undefined }
  const within = Duration.fromInput(policy.within)
  if (within._tag === "None" || Duration.toMillis(within.value) <= 0) {
    throw new InvalidInput({
      where: "ClusterAgent.make",
      issue: `persist.within: expected a positive duration, got ${String(policy.within)}`
    })
  }
  return { _tag: "Every", messages: policy.every, within: within.value }
}

/**
 * How an agent definition is deployed on the cluster.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterAgentOptions<S, M> {
  /** The Schema of the agent's state: it is saved encoded, as JSON, as `persist` says. */
  readonly state: Schema.Codec<S, unknown>
  /** When the state is saved; default `"on-change"` (see `PersistPolicy` for what each keeps). */
  readonly persist?: PersistPolicy | undefined
  /** The Schema of each request's reply, by request tag. */
  readonly replies: ReplySchemas<M>
  /** The entity type name; defaults to the definition's `name`. Must be the same on every runner. */
  readonly kind?: string | undefined
  /** How long an agent stays in memory without messages; default 1 minute. */
  readonly maxIdleTime?: Duration.Input | undefined
  /**
   * Messages an agent may have waiting; default the definition's mailbox capacity, else 1024.
   * When it is full, `tell` and `ask` fail with `MailboxFull`.
   */
  readonly mailboxCapacity?: number | undefined
  /**
   * Store every message in the cluster's `MessageStorage` before it is acknowledged, so it survives
   * the death of the runner that holds the agent. Default `false` (volatile: faster, may be lost).
   */
  readonly persisted?: boolean | undefined
  /** How long `ask` waits by default; default 5 seconds. */
  readonly askTimeout?: Duration.Input | undefined
}

/**
 * An agent definition deployed as a cluster entity.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterAgent<S, M, E, R> {
  /** The entity type name (the same on every runner). */
  readonly kind: string
  /** The definition it runs. */
  readonly definition: AgentDefinition<S, M, E, R>
  /** The underlying `effect/cluster` entity (two Rpcs: `Tell`, `Ask`). */
  readonly entity: AgentEntity
  /**
   * Registers the agent kind with `Sharding` on this runner: agents of this kind may then be
   * activated here. Provide it on every runner that hosts them.
   */
  readonly layer: Layer.Layer<never, never, Sharding.Sharding | AgentStateStore | R>
  /** Refs to agents of this kind by id; works on any runner, hosting or not. */
  readonly client: Effect.Effect<(id: string) => ClusterRef<M>, never, Sharding.Sharding>
}

/**
 * Deploys `definition` as a cluster entity. Nothing runs until `layer` is provided with a
 * `Sharding` (e.g. `TestRunner.layer`, `SocketRunner`) and an `AgentStateStore`. Throws
 * `InvalidInput` for an invalid `persist` policy.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <S, M, E = never, R = never>(
  definition: AgentDefinition<S, M, E, R>,
  options: ClusterAgentOptions<S, M>
): ClusterAgent<S, M, E, R> => {
  const kind = options.kind ?? definition.name
  const persist = persistPolicy(options.persist)
  const entity = makeEntity(kind, options.persisted === true)
  const capacity = Math.max(1, options.mailboxCapacity ?? definition.mailbox?.capacity ?? 1024)
  const replies = options.replies as Readonly<Record<string, Schema.Codec<unknown, unknown>>>
  const refs = makeRefs<M>({
    kind,
    entity,
    messages: definition.messages,
    replies,
    capacity,
    askTimeout: options.askTimeout ?? "5 seconds"
  })
  const layer = Layer.unwrap(
    Effect.gen(function* () {
      const makeRef = yield* refs
      return entity.toLayer(
        makeHandlers(definition, {
          kind,
          entity,
          state: options.state,
          replies,
          messages: definition.messages,
          selfCapacity: capacity,
          selfRef: makeRef,
          persist
        }),
        {
          maxIdleTime: options.maxIdleTime ?? "1 minute",
          concurrency: 1,
          mailboxCapacity: capacity
        }
      )
    })
  )
  return {
    kind,
    definition,
    entity,
    layer,
    client: refs
  }
}
