/**
 * The storage contract under `Registry`: one small interface that every backend (memory, SQL,
 * later the cluster) implements, and that the conformance suite checks unchanged.
 *
 * Backends receive input that the `Registry` service has already validated, and know nothing of
 * scopes: ownership is the service's job. Every operation is an `Effect` that may fail with
 * `BackendUnavailable`, so a remote backend fits the same contract as the in-memory one.
 *
 * @since 0.1.0
 */
import { Context, type Effect, type Option, type Scope, type Stream } from "effect"
import type { AlreadyRegistered, BackendUnavailable, ChangesLagged, NotRegistered } from "./RegistryError.ts"
import type { Entry, Metadata, RegistryChange, RegistryValue, Selector } from "./schema.ts"

/**
 * What `register` asks a backend to store; the backend assigns the entry's `id`.
 *
 * @since 0.1.0
 * @category models
 */
export interface NewEntry {
  readonly key: string
  readonly value: RegistryValue
  readonly metadata: Metadata
  readonly durable: boolean
}

/**
 * What a backend implements. Every method takes the namespace; a backend never lets one
 * namespace see another's entries.
 *
 * @since 0.1.0
 * @category models
 */
export interface RegistryBackendShape {
  /** A short name for error messages, e.g. `"memory"` or `"sql"`. */
  readonly name: string
  /** Stores the entry if its key is free in `namespace`, atomically; else fails with `AlreadyRegistered`. */
  readonly register: (
    namespace: string,
    entry: NewEntry
  ) => Effect.Effect<Entry, AlreadyRegistered | BackendUnavailable>
  /**
   * Removes the entry under `key` (only if its registration `id` matches, when given) and
   * returns it; `None` if there was nothing to remove.
   */
  readonly unregister: (
    namespace: string,
    key: string,
    id?: number
  ) => Effect.Effect<Option.Option<Entry>, BackendUnavailable>
  /** The entry under `key`, if any. */
  readonly lookup: (namespace: string, key: string) => Effect.Effect<Option.Option<Entry>, BackendUnavailable>
  /** Replaces the metadata of the entry under `key`; fails with `NotRegistered` if there is none. */
  readonly update: (
    namespace: string,
    key: string,
    metadata: Metadata
  ) => Effect.Effect<Entry, NotRegistered | BackendUnavailable>
  /** Every entry matching all the selector's field tests, in no particular order. */
  readonly select: (namespace: string, selector: Selector) => Effect.Effect<ReadonlyArray<Entry>, BackendUnavailable>
  /** How many entries the namespace holds. */
  readonly count: (namespace: string) => Effect.Effect<number, BackendUnavailable>
  /** The keys of the namespace, sorted. */
  readonly keys: (namespace: string) => Effect.Effect<ReadonlyArray<string>, BackendUnavailable>
  /**
   * Subscribes to the namespace's changes for the lifetime of the scope: every change made after
   * this effect completes is delivered, in order. The stream ends when the backend shuts down and
   * fails with `ChangesLagged` if its reader falls too far behind.
   */
  readonly subscribe: (
    namespace: string
  ) => Effect.Effect<Stream.Stream<RegistryChange, ChangesLagged>, never, Scope.Scope>
}

/**
 * The service key of the backend a `Registry` stores its entries in.
 *
 * @since 0.1.0
 * @category services
 */
export class RegistryBackend extends Context.Service<RegistryBackend, RegistryBackendShape>()(
  "mabeam/RegistryBackend"
) {}
