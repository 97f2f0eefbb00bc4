/**
 * The cluster registry backend: one `effect/cluster` entity per namespace, so every runner sees
 * the same entries and the same change feed.
 *
 * Each namespace lives on the runner that owns its shard, in a memory backend (the same code as
 * `MemoryBackend`), and every operation is an Rpc to it. Writes to one namespace are therefore
 * applied in one order, and `subscribe` streams that order to subscribers on any runner. The
 * namespace entity is kept alive (never passivated) while its runner lives.
 *
 * Limits: entries are in the owner runner's memory. If that runner dies, the namespace restarts
 * empty on the runner that takes its shard over, and every subscriber's stream ends, which tells
 * owners to register again. Use `registerDurable` entries with the SQL backend for what must
 * survive any crash.
 *
 * @since 0.2.0
 */
import { Cause, Deferred, Effect, Layer, Option, Queue, Schema, Stream } from "effect"
import { Entity, Sharding } from "effect/cluster"
import { Rpc } from "effect/rpc"
import {
  AlreadyRegistered,
  BackendUnavailable,
  ChangesLagged,
  Entry,
  Metadata,
  MemoryBackend,
  NotRegistered,
  RegistryBackend,
  type RegistryBackendShape,
  RegistryChange,
  RegistryValue,
  Selector
} from "../registry/index.ts"

const NewEntry = Schema.Struct({
  key: Schema.String,
  value: RegistryValue,
  metadata: Metadata,
  durable: Schema.Boolean
})
const Subscribed = Schema.TaggedStruct("Subscribed", {})

const Register = Rpc.make("Register", { payload: { entry: NewEntry }, success: Entry, error: AlreadyRegistered })
const Unregister = Rpc.make("Unregister", {
  payload: { key: Schema.String, id: Schema.NullOr(Schema.Number) },
  success: Schema.NullOr(Entry)
})
const Lookup = Rpc.make("Lookup", { payload: { key: Schema.String }, success: Schema.NullOr(Entry) })
const Update = Rpc.make("Update", {
  payload: { key: Schema.String, metadata: Metadata },
  success: Entry,
  error: NotRegistered
})
const Select = Rpc.make("Select", { payload: { selector: Selector }, success: Schema.Array(Entry) })
const Count = Rpc.make("Count", { success: Schema.Number })
const Keys = Rpc.make("Keys", { success: Schema.Array(Schema.String) })
const Changes = Rpc.make("Changes", {
  success: Schema.Union([Subscribed, RegistryChange]),
  error: ChangesLagged,
  stream: true
})

/**
 * The entity that holds one namespace of one cluster registry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const NamespaceEntity = Entity.make("mabeam/registry", [
  Register,
  Unregister,
  Lookup,
  Update,
  Select,
  Count,
  Keys,
  Changes
])

/**
 * Options of the cluster registry backend.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterRegistryOptions {
  /**
   * The registry's name: runners that use the same name share entries. Letters, digits, `_`, `-`.
   * Default `"default"`.
   */
  readonly name?: string | undefined
  /** Changes each subscriber may buffer before its stream fails with `ChangesLagged`. Default 4096. */
  readonly changesCapacity?: number | undefined
}

// The memory backend never fails with BackendUnavailable; if it did, that would be a bug.
const local = <A, E, R>(
  self: Effect.Effect<A, E | BackendUnavailable, R>
): Effect.Effect<A, Exclude<E, BackendUnavailable>, R> =>
  Effect.catchIf(
    self,
    (e): e is BackendUnavailable => e instanceof BackendUnavailable,
    (e) => Effect.die(e)
  ) as never

const split = (entityId: string): string => entityId.slice(entityId.indexOf("/") + 1)

/**
 * Hosts namespace entities on this runner. Provide it on every runner that may own registry
 * shards (usually all of them).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHost = (
  options: Pick<ClusterRegistryOptions, "changesCapacity"> = {}
): Layer.Layer<never, never, Sharding.Sharding> =>
  NamespaceEntity.toLayer(
    Effect.gen(function* () {
      const namespace = split((yield* Entity.CurrentAddress).entityId)
      const backend = yield* MemoryBackend.make({ changesCapacity: Math.max(1, options.changesCapacity ?? 4096) })
      yield* Entity.keepAlive(true)
      return NamespaceEntity.of({
        Register: ({ payload }) => backend.register(namespace, payload.entry).pipe(local),
        Unregister: ({ payload }) =>
          backend.unregister(namespace, payload.key, payload.id ?? undefined).pipe(
            local,
            Effect.map((removed) => (removed._tag === "Some" ? removed.value : null))
          ),
        Lookup: ({ payload }) =>
          backend.lookup(namespace, payload.key).pipe(
            local,
            Effect.map((found) => (found._tag === "Some" ? found.value : null))
          ),
        Update: ({ payload }) => local(backend.update(namespace, payload.key, payload.metadata)),
        Select: ({ payload }) => local(backend.select(namespace, payload.selector)),
        Count: () => local(backend.count(namespace)),
        Keys: () => local(backend.keys(namespace)),
        Changes: () =>
          Stream.unwrap(
            Effect.map(backend.subscribe(namespace), (changes) =>
              Stream.concat(Stream.make(Subscribed.make({})), changes)
            )
          )
      })
    }),
    { concurrency: "unbounded", maxIdleTime: "1 hour" }
  )

type DeliveryError = {
  readonly _tag: "MailboxFull" | "AlreadyProcessingMessage" | "PersistenceError" | "EntityNotAssignedToRunner"
}
const isDeliveryError = (error: { readonly _tag: string }): error is DeliveryError =>
  error._tag === "MailboxFull" ||
  error._tag === "AlreadyProcessingMessage" ||
  error._tag === "PersistenceError" ||
  error._tag === "EntityNotAssignedToRunner"

/**
 * Builds the client side: a `RegistryBackend` whose operations are Rpcs to the namespace entities
 * of registry `options.name`, wherever they run. Cluster delivery failures surface as
 * `BackendUnavailable`; the entities themselves are hosted by `layerHost`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: ClusterRegistryOptions = {}) =>
  Effect.gen(function* () {
    const name = options.name ?? "default"
    if (!/^[A-Za-z0-9_-]+$/.test(name)) return yield* Effect.die(new Error(`ClusterRegistry: invalid name "${name}"`))
    const capacity = Math.max(1, options.changesCapacity ?? 4096)
    const clientFor = yield* (yield* Sharding.Sharding).makeClient(NamespaceEntity)
    const client = (namespace: string) => clientFor(`${name}/${namespace}`)
    const unavailable =
      (operation: string) =>
      <E extends { readonly _tag: string }>(error: E) =>
        isDeliveryError(error)
          ? new BackendUnavailable({ backend: "cluster", operation, reason: error._tag })
          : (error as Exclude<E, DeliveryError>)

    const subscribe: RegistryBackendShape["subscribe"] = (namespace) =>
      Effect.gen(function* () {
        const queue = yield* Queue.bounded<RegistryChange, ChangesLagged | Cause.Done>(capacity)
        const ready = yield* Deferred.make<void>()
        yield* client(namespace)
          .Changes()
          .pipe(
            Stream.runForEach((item) => {
              if (item._tag === "Subscribed") return Deferred.succeed(ready, undefined)
              if (Queue.offerUnsafe(queue, item)) return Effect.void
              return Effect.fail(new ChangesLagged({ namespace, capacity }))
            }),
            Effect.catchCause((cause) =>
              Effect.sync(() => {
                const lagged = cause.reasons.find((r) => r._tag === "Fail" && r.error instanceof ChangesLagged)
                if (lagged !== undefined && lagged._tag === "Fail")
                  Queue.failCauseUnsafe(queue, Cause.fail(lagged.error as ChangesLagged))
                else Queue.endUnsafe(queue)
              })
            ),
            Effect.ensuring(
              Effect.andThen(
                Deferred.succeed(ready, undefined),
                Effect.sync(() => Queue.endUnsafe(queue))
              )
            ),
            Effect.forkScoped
          )
        yield* Deferred.await(ready)
        return Stream.fromQueue(queue)
      })

    const backend: RegistryBackendShape = {
      name: "cluster",
      register: (namespace, entry) =>
        client(namespace)
          .Register({ entry })
          .pipe(Effect.mapError(unavailable("register"))),
      unregister: (namespace, key, id) =>
        client(namespace)
          .Unregister({ key, id: id ?? null })
          .pipe(Effect.map(Option.fromNullishOr), Effect.mapError(unavailable("unregister"))),
      lookup: (namespace, key) =>
        client(namespace)
          .Lookup({ key })
          .pipe(Effect.map(Option.fromNullishOr), Effect.mapError(unavailable("lookup"))),
      update: (namespace, key, metadata) =>
        client(namespace)
          .Update({ key, metadata })
          .pipe(Effect.mapError(unavailable("update"))),
      select: (namespace, selector) =>
        client(namespace)
          .Select({ selector })
          .pipe(Effect.mapError(unavailable("select"))),
      count: (namespace) =>
        client(namespace)
          .Count()
          .pipe(Effect.mapError(unavailable("count"))),
      keys: (namespace) =>
        client(namespace)
          .Keys()
          .pipe(Effect.mapError(unavailable("keys"))),
      subscribe
    }
    return backend
  })

/**
 * The cluster registry backend (client side) over the `Sharding` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: ClusterRegistryOptions = {}): Layer.Layer<RegistryBackend, never, Sharding.Sharding> =>
  Layer.effect(RegistryBackend, make(options))
