/**
 * The registry: finds agents (or anything addressable) by key and by metadata, within one
 * namespace. Entries registered with `register` live exactly as long as the caller's scope: when
 * the owning agent stops, crashes or is interrupted, its entries are removed as the scope closes.
 *
 * The service validates input, ties entries to scopes and binds the namespace; storage is the job
 * of a `RegistryBackend` (memory by default, SQL for durable entries).
 *
 * Secure mode (`SecureMode` in context when the registry is built): each entry belongs to the
 * verified caller that registered it. Only that caller, or one holding `registry:admin:<namespace>`,
 * may `unregister` or `update` it; an entry registered anonymously, or by another process sharing
 * the backend, only an admin may touch. `registerDurable` needs `registry:write:<namespace>`.
 * Denials are `Unauthorized` plus an audit record. Without secure mode anyone may unregister or
 * update any entry (see README's threat model).
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Option, Schema, type Scope, Stream } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import type { Unauthorized } from "../security/errors.ts"
import { argument, traced } from "../telemetry/index.ts"
// The file, not the folder's index: the index also exports agent helpers, and agents import the registry.
import { ANONYMOUS, SecureMode } from "../security/SecureMode.ts"
import * as MemoryBackend from "./backends/memory.ts"
import { RegistryBackend, type RegistryBackendShape } from "./RegistryBackend.ts"
import type { AlreadyRegistered, BackendUnavailable, ChangesLagged, NotRegistered } from "./RegistryError.ts"
import {
  type Entry,
  isRegistryKey,
  Metadata,
  Namespace,
  RegistryChange,
  RegistryKey,
  RegistryValue,
  Selector
} from "./schema.ts"

/**
 * The operations of a `Registry`, all bound to its namespace.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegistryShape {
  /** The namespace every operation of this registry reads and writes. */
  readonly namespace: string
  /**
   * Registers `key` if it is free, for as long as the current scope: closing the scope (the
   * owner stopping, crashing or being interrupted) removes the entry at once. Fails with
   * `AlreadyRegistered` if the key is held, `InvalidInput` on bad input; neither changes state.
   *
   * @example
   * ```ts
   * const registry = yield* Registry
   * yield* registry.register("planner-1", { node: "local", id: "agent-17" }, { capabilities: ["plan"] })
   * ```
   */
  readonly register: (
    key: string,
    value: RegistryValue,
    metadata?: Metadata
  ) => Effect.Effect<Entry, AlreadyRegistered | InvalidInput | BackendUnavailable, Scope.Scope>
  /**
   * Registers `key` with no owner: the entry stays until `unregister` (with the SQL backend, across
   * restarts). Use for configuration-like entries, not for agents.
   */
  readonly registerDurable: (
    key: string,
    value: RegistryValue,
    metadata?: Metadata
  ) => Effect.Effect<Entry, AlreadyRegistered | InvalidInput | BackendUnavailable | Unauthorized>
  /**
   * Removes the entry under `key`; `true` if there was one. In secure mode only its owner or an
   * admin may (else `Unauthorized`); without it, anyone may.
   */
  readonly unregister: (key: string) => Effect.Effect<boolean, InvalidInput | BackendUnavailable | Unauthorized>
  /** The entry under `key`, if any. */
  readonly lookup: (key: string) => Effect.Effect<Option.Option<Entry>, InvalidInput | BackendUnavailable>
  /**
   * Replaces the metadata of the entry under `key`; `NotRegistered` if there is none. In secure
   * mode only its owner or an admin may (else `Unauthorized`).
   */
  readonly update: (
    key: string,
    metadata: Metadata
  ) => Effect.Effect<Entry, NotRegistered | InvalidInput | BackendUnavailable | Unauthorized>
  /**
   * The entries passing every test of the selector, in no particular order: a scalar field must
   * equal the value, a list field must contain it.
   *
   * @example
   * ```ts
   * const registry = yield* Registry
   * const bidders = yield* registry.select({ capabilities: "auction", node: "a" })
   * ```
   */
  readonly select: (selector: Selector) => Effect.Effect<ReadonlyArray<Entry>, InvalidInput | BackendUnavailable>
  /** How many entries the namespace holds. */
  readonly count: Effect.Effect<number, BackendUnavailable>
  /** The keys of the namespace, sorted. */
  readonly keys: Effect.Effect<ReadonlyArray<string>, BackendUnavailable>
  /**
   * The namespace's changes from the moment the stream starts, in order. It fails with
   * `ChangesLagged` if its reader falls more than the backend's buffer behind.
   */
  readonly changes: Stream.Stream<RegistryChange, ChangesLagged>
  /**
   * Like `changes`, but the subscription is in place when this effect completes, so no change made
   * afterwards is missed. It lasts as long as the scope.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<RegistryChange, ChangesLagged>, never, Scope.Scope>
}

/**
 * Options of a registry.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegistryOptions {
  /** The namespace to bind; tenants and tests use their own. Default `"default"`. */
  readonly namespace?: string | undefined
}

const RegisterInput = Schema.Struct({ key: RegistryKey, value: RegistryValue, metadata: Metadata })
const UpdateInput = Schema.Struct({ key: RegistryKey, metadata: Metadata })

// A guard first, so valid input (the common case) skips building a decode; none of these Schemas
// transform, so the guard and the decoder accept exactly the same values.
const validator = <S extends Schema.Top & { readonly DecodingServices: never }>(schema: S, where: string) => {
  const is = Schema.is(schema)
  const decode = decodeInput(schema, where)
  return (input: S["Type"]): Effect.Effect<S["Type"], InvalidInput> | undefined =>
    is(input) ? undefined : decode(input)
}

const checkRegister = validator(RegisterInput, "Registry.register")
const checkRegisterDurable = validator(RegisterInput, "Registry.registerDurable")
const keyValidator = (where: string) => {
  const decode = decodeInput(RegistryKey, where)
  return (key: string): Effect.Effect<string, InvalidInput> | undefined =>
    isRegistryKey(key) ? undefined : decode(key)
}
const checkUnregister = keyValidator("Registry.unregister")
const checkLookup = keyValidator("Registry.lookup")
const checkUpdate = validator(UpdateInput, "Registry.update")
const checkSelect = validator(Selector, "Registry.select")

// Spans `mabeam.registry.<operation>` (attributes: namespace, key), opened inside a caller's trace only.
const tracedOperations = ["register", "registerDurable", "unregister", "lookup", "update", "select"] as const

const makeWith = (
  backend: RegistryBackendShape,
  namespace: string,
  secure: SecureMode["Service"] | undefined
): RegistryShape => {
  // Secure mode: who registered each live entry of this registry (key -> registration id and
  // verified caller). One record per live entry, removed with the entry.
  const owners = new Map<string, { readonly id: number; readonly owner: string }>()
  const admin = `registry:admin:${namespace}`
  const storeAs = (owner: string, key: string, value: RegistryValue, metadata: Metadata, durable: boolean) =>
    Effect.tap(backend.register(namespace, { key, value, metadata, durable }), (entry) =>
      Effect.sync(() => owners.set(key, { id: entry.id, owner }))
    )
  // A scoped entry may be registered by anyone (its owner is recorded); a durable one needs write.
  const store = (key: string, value: RegistryValue, metadata: Metadata) =>
    secure === undefined
      ? backend.register(namespace, { key, value, metadata, durable: false })
      : Effect.flatMap(secure.caller, (owner) => storeAs(owner, key, value, metadata, false))
  const storeDurable = (key: string, value: RegistryValue, metadata: Metadata) =>
    secure === undefined
      ? backend.register(namespace, { key, value, metadata, durable: true })
      : Effect.flatMap(secure.require(`registry:write:${namespace}`), (owner) =>
          storeAs(owner, key, value, metadata, true)
        )
  const forget = (key: string, id: number) => {
    if (owners.get(key)?.id === id) owners.delete(key)
  }
  const release = (entry: Entry) =>
    backend.unregister(namespace, entry.key, entry.id).pipe(
      Effect.andThen(Effect.sync(() => forget(entry.key, entry.id))),
      Effect.catch((error) => Effect.logWarning("Registry: could not remove an owned entry", entry.key, error))
    )
  // Secure mode: the entry's owner or an admin; a missing entry passes (the operation reports it).
  // The checked entry's id goes to the operation, so an entry replaced meanwhile is not touched.
  const ownerOnly = <A, E>(key: string, operation: string, effect: (id: number | undefined) => Effect.Effect<A, E>) =>
    secure === undefined
      ? effect(undefined)
      : Effect.gen(function* () {
          const current = yield* backend.lookup(namespace, key)
          if (Option.isSome(current)) {
            const caller = yield* secure.caller
            const record = owners.get(key)
            const owner = record !== undefined && record.id === current.value.id ? record.owner : ANONYMOUS
            if ((owner === ANONYMOUS || owner !== caller) && !(yield* secure.holds(caller, admin))) {
              return yield* secure.deny(caller, admin, `${operation} "${key}" owned by ${owner}`)
            }
          }
          return yield* effect(Option.isSome(current) ? current.value.id : undefined)
        })
  const empty: Metadata = {}
  return traced<RegistryShape>("registry", tracedOperations, {
    withinTrace: true,
    attributes: { "mabeam.registry.namespace": namespace },
    describe: (operation, args) =>
      operation === "select" ? {} : { "mabeam.registry.key": argument(args, "key") ?? "" }
  })({
    namespace,
    register: (key, value, metadata = empty) => {
      const bad = checkRegister({ key, value, metadata })
      const owned = () => Effect.acquireRelease(store(key, value, metadata), release)
      return bad === undefined ? owned() : Effect.andThen(bad, owned)
    },
    registerDurable: (key, value, metadata = empty) => {
      const bad = checkRegisterDurable({ key, value, metadata })
      const durable = () => storeDurable(key, value, metadata)
      return bad === undefined ? durable() : Effect.andThen(bad, durable)
    },
    unregister: (key) => {
      const bad = checkUnregister(key)
      const removed = () =>
        ownerOnly(key, "unregister", (id) =>
          Effect.map(backend.unregister(namespace, key, id), (entry) => {
            if (entry._tag === "Some") forget(key, entry.value.id)
            return entry._tag === "Some"
          })
        )
      return bad === undefined ? removed() : Effect.andThen(bad, removed)
    },
    lookup: (key) => {
      const bad = checkLookup(key)
      return bad === undefined
        ? backend.lookup(namespace, key)
        : Effect.andThen(bad, () => backend.lookup(namespace, key))
    },
    update: (key, metadata) => {
      const bad = checkUpdate({ key, metadata })
      const updated = () => ownerOnly(key, "update", () => backend.update(namespace, key, metadata))
      return bad === undefined ? updated() : Effect.andThen(bad, updated)
    },
    select: (selector) => {
      const bad = checkSelect(selector)
      const selected = () => backend.select(namespace, selector)
      return bad === undefined ? selected() : Effect.andThen(bad, selected)
    },
    count: backend.count(namespace),
    keys: backend.keys(namespace),
    changes: Stream.unwrap(backend.subscribe(namespace)),
    subscribe: backend.subscribe(namespace)
  })
}

const decodeNamespace = decodeInput(Namespace, "Registry.make")

/**
 * Builds a registry bound to `options.namespace` over the `RegistryBackend` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: RegistryOptions = {}): Effect.Effect<RegistryShape, InvalidInput, RegistryBackend> =>
  Effect.gen(function* () {
    const namespace = yield* decodeNamespace(options.namespace ?? "default")
    return makeWith(yield* RegistryBackend, namespace, Option.getOrUndefined(yield* Effect.serviceOption(SecureMode)))
  })

/**
 * Finds agents by key and by metadata; entries live exactly as long as their owner's scope.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const registry = yield* Registry
 *   yield* registry.register("auctioneer", { node: "local", id: "agent-1" }, { capabilities: ["auction"] })
 *   const found = yield* registry.select({ capabilities: "auction" })
 * }).pipe(Effect.scoped, Effect.provide(Registry.layer))
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class Registry extends Context.Service<Registry, RegistryShape>()("mabeam/Registry") {
  /** Builds a registry bound to `options.namespace` (default `"default"`) over the backend in context. */
  static readonly make = make

  /** The default registry: namespace `"default"` over a fresh memory backend. */
  static readonly layer: Layer.Layer<Registry> = Layer.effect(
    Registry,
    Effect.gen(function* () {
      return makeWith(yield* RegistryBackend, "default", Option.getOrUndefined(yield* Effect.serviceOption(SecureMode)))
    })
  ).pipe(Layer.provide(MemoryBackend.layer))

  /**
   * A registry bound to `options.namespace`, over `options.backend` if given, else over the
   * `RegistryBackend` in context (so several namespaces can share one backend).
   * Fails with `InvalidInput` if the namespace is not valid.
   */
  static layerWith<E = never, R = never>(
    options: RegistryOptions & { readonly backend: Layer.Layer<RegistryBackend, E, R> }
  ): Layer.Layer<Registry, InvalidInput | E, R>
  static layerWith(options?: RegistryOptions): Layer.Layer<Registry, InvalidInput, RegistryBackend>
  static layerWith<E, R>(
    options: RegistryOptions & { readonly backend?: Layer.Layer<RegistryBackend, E, R> } = {}
  ): Layer.Layer<Registry, InvalidInput | E, R | RegistryBackend> {
    const registry = Layer.effect(Registry, make(options))
    return options.backend === undefined ? registry : registry.pipe(Layer.provide(options.backend))
  }
}
