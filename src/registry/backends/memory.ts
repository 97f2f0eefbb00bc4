/**
 * The in-memory registry backend, the default. Every operation is synchronous and atomic (a
 * single JavaScript turn), so concurrent registers of one key have exactly one winner.
 *
 * `select` is served from secondary indexes: each indexed metadata field maps each of its values
 * to the entries holding it (a list field indexes each element). A selector is answered by
 * walking the smallest matching bucket and checking the other tests on each candidate, so its
 * cost grows with the size of that bucket, not with the registry. A bucket with one entry holds
 * it directly, so unique fields such as `name` cost one map slot per entry.
 *
 * Entries live until they are unregistered or the layer's scope closes. A registered entry keeps
 * a private copy of its metadata; its `value` is kept by reference, so do not mutate it.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Option } from "effect"
import { makeChangeHub } from "../internal/changes.ts"
import { matchesField, matchesSelector } from "../internal/select.ts"
import { type NewEntry, RegistryBackend, type RegistryBackendShape } from "../RegistryBackend.ts"
import { AlreadyRegistered, NotRegistered } from "../RegistryError.ts"
import type { Entry, Metadata, MetadataScalar, Selector } from "../schema.ts"

/**
 * Options of the memory backend.
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryBackendOptions {
  /** Metadata fields to index for `select`; other fields are filtered by scanning. Default: every field. */
  readonly indexed?: ReadonlyArray<string> | undefined
  /** Changes each `changes` subscriber may buffer before it fails with `ChangesLagged`. Default 4096. */
  readonly changesCapacity?: number | undefined
}

/**
 * The memory backend plus synchronous fast paths (used by benchmarks and hot loops).
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryBackend extends RegistryBackendShape {
  /** The entry under `key`, or `undefined`, without building an Effect. */
  readonly lookupUnsafe: (namespace: string, key: string) => Entry | undefined
  /** Like `select`, without building an Effect. */
  readonly selectUnsafe: (namespace: string, selector: Selector) => ReadonlyArray<Entry>
}

type Bucket = Entry | Set<Entry>

interface Space {
  readonly entries: Map<string, Entry>
  readonly index: Map<string, Map<MetadataScalar, Bucket>>
}

const bucketSize = (bucket: Bucket | undefined): number =>
  bucket === undefined ? 0 : bucket instanceof Set ? bucket.size : 1

/**
 * The entry's private copy of `metadata`. Frozen metadata (its arrays frozen too) cannot change
 * under the registry, so it is kept as is: the agent runtime registers one frozen object per
 * definition, shared by all its agents, instead of a copy each.
 */
const copyMetadata = (metadata: Metadata): Metadata => {
  if (isDeepFrozen(metadata)) return metadata
  const copy: Record<string, Metadata[string]> = {}
  for (const field in metadata) {
    const value = metadata[field]
    if (value !== undefined) copy[field] = Array.isArray(value) ? value.slice() : value
  }
  return copy
}

const isDeepFrozen = (metadata: Metadata): boolean => {
  if (!Object.isFrozen(metadata)) return false
  for (const field in metadata) {
    const value = metadata[field]
    if (Array.isArray(value) && !Object.isFrozen(value)) return false
  }
  return true
}

/**
 * Builds a memory backend; its change subscribers end when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: MemoryBackendOptions = {}) =>
  Effect.gen(function* () {
    const hub = yield* makeChangeHub(Math.max(1, options.changesCapacity ?? 4096))
    const indexedFields = options.indexed === undefined ? undefined : new Set(options.indexed)
    const isIndexed = (field: string) => indexedFields === undefined || indexedFields.has(field)
    const spaces = new Map<string, Space>()
    // Most callers use one namespace: remember the last one found, so a lookup is one Map.get.
    let lastNamespace: string | undefined
    let lastSpace: Space | undefined
    const spaceOf = (namespace: string): Space | undefined => {
      if (namespace === lastNamespace) return lastSpace
      const space = spaces.get(namespace)
      if (space !== undefined) {
        lastNamespace = namespace
        lastSpace = space
      }
      return space
    }
    let nextId = 1

    const addToIndex = (space: Space, field: string, value: MetadataScalar, entry: Entry) => {
      let values = space.index.get(field)
      if (values === undefined) {
        values = new Map()
        space.index.set(field, values)
      }
      const bucket = values.get(value)
      if (bucket === undefined) values.set(value, entry)
      else if (bucket instanceof Set) bucket.add(entry)
      else if (bucket !== entry) values.set(value, new Set([bucket, entry]))
    }

    const removeFromIndex = (space: Space, field: string, value: MetadataScalar, entry: Entry) => {
      const values = space.index.get(field)
      const bucket = values?.get(value)
      if (values === undefined || bucket === undefined) return
      if (bucket instanceof Set) {
        bucket.delete(entry)
        if (bucket.size === 1) values.set(value, bucket.values().next().value as Entry)
      } else if (bucket === entry) {
        values.delete(value)
        if (values.size === 0) space.index.delete(field)
      }
    }

    const forEachIndexed = (
      space: Space,
      entry: Entry,
      f: (space: Space, field: string, value: MetadataScalar, entry: Entry) => void
    ) => {
      for (const field in entry.metadata) {
        if (!isIndexed(field)) continue
        const value = entry.metadata[field]
        if (value === undefined) continue
        if (Array.isArray(value)) for (const element of value) f(space, field, element, entry)
        else f(space, field, value as MetadataScalar, entry)
      }
    }

    const lookupUnsafe = (namespace: string, key: string): Entry | undefined => spaceOf(namespace)?.entries.get(key)

    const selectUnsafe = (namespace: string, selector: Selector): ReadonlyArray<Entry> => {
      const space = spaceOf(namespace)
      if (space === undefined) return []
      let best: Bucket | undefined
      let bestField: string | undefined
      let bestSize = Infinity
      for (const field in selector) {
        const value = selector[field]
        if (value === undefined || !isIndexed(field)) continue
        const bucket = space.index.get(field)?.get(value)
        const size = bucketSize(bucket)
        if (size === 0) return []
        if (size < bestSize) {
          best = bucket
          bestField = field
          bestSize = size
        }
      }
      const out: Array<Entry> = []
      const consider = (entry: Entry) => {
        for (const field in selector) {
          if (field === bestField) continue
          const value = selector[field]
          if (value === undefined || !matchesField(entry.metadata, field, value)) return
        }
        out.push(entry)
      }
      if (best === undefined) {
        for (const entry of space.entries.values()) if (matchesSelector(entry.metadata, selector)) out.push(entry)
      } else if (best instanceof Set) {
        for (const entry of best) consider(entry)
      } else {
        consider(best)
      }
      return out
    }

    const register = (namespace: string, input: NewEntry) =>
      Effect.suspend(() => {
        let space = spaces.get(namespace)
        if (space === undefined) {
          space = { entries: new Map(), index: new Map() }
          spaces.set(namespace, space)
        } else if (space.entries.has(input.key)) {
          return Effect.fail(new AlreadyRegistered({ namespace, key: input.key }))
        }
        const entry: Entry = {
          key: input.key,
          value: input.value,
          metadata: copyMetadata(input.metadata),
          id: nextId++,
          durable: input.durable
        }
        space.entries.set(entry.key, entry)
        forEachIndexed(space, entry, addToIndex)
        hub.publish(namespace, { _tag: "Registered", entry })
        return Effect.succeed(entry)
      })

    const unregister = (namespace: string, key: string, id?: number) =>
      Effect.sync(() => {
        const space = spaces.get(namespace)
        const entry = space?.entries.get(key)
        if (space === undefined || entry === undefined || (id !== undefined && entry.id !== id)) {
          return Option.none<Entry>()
        }
        space.entries.delete(key)
        forEachIndexed(space, entry, removeFromIndex)
        if (space.entries.size === 0) {
          spaces.delete(namespace)
          if (lastSpace === space) lastNamespace = lastSpace = undefined
        }
        hub.publish(namespace, { _tag: "Unregistered", entry })
        return Option.some(entry)
      })

    const update = (namespace: string, key: string, metadata: Metadata) =>
      Effect.suspend(() => {
        const space = spaces.get(namespace)
        const previous = space?.entries.get(key)
        if (space === undefined || previous === undefined) {
          return Effect.fail(new NotRegistered({ namespace, key }))
        }
        const entry: Entry = { ...previous, metadata: copyMetadata(metadata) }
        forEachIndexed(space, previous, removeFromIndex)
        space.entries.set(key, entry)
        forEachIndexed(space, entry, addToIndex)
        hub.publish(namespace, { _tag: "Updated", entry, previous: previous.metadata })
        return Effect.succeed(entry)
      })

    const backend: MemoryBackend = {
      name: "memory",
      register,
      unregister,
      lookup: (namespace, key) => Effect.sync(() => Option.fromUndefinedOr(lookupUnsafe(namespace, key))),
      update,
      select: (namespace, selector) => Effect.sync(() => selectUnsafe(namespace, selector)),
      count: (namespace) => Effect.sync(() => spaces.get(namespace)?.entries.size ?? 0),
      keys: (namespace) => Effect.sync(() => Array.from(spaces.get(namespace)?.entries.keys() ?? []).sort()),
      subscribe: hub.subscribe,
      lookupUnsafe,
      selectUnsafe
    }
    return backend
  })

/**
 * The memory backend as a `RegistryBackend` layer, with default options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RegistryBackend> = Layer.effect(RegistryBackend, make())

/**
 * The memory backend as a `RegistryBackend` layer, with options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (options: MemoryBackendOptions): Layer.Layer<RegistryBackend> =>
  Layer.effect(RegistryBackend, make(options))
