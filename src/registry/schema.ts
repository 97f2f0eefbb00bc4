/**
 * The Schemas of everything that crosses the registry's boundary: keys, namespaces, values,
 * metadata, selectors, entries and change events. Input is decoded with these before any state
 * changes; a failure is reported as `InvalidInput`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A registry key: 1 to 256 characters, e.g. `"planner-1"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegistryKey = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(256))

/**
 * `Schema.is(RegistryKey)` by hand, for the hot paths (`lookup`); a test checks they agree.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRegistryKey = (u: unknown): u is string => typeof u === "string" && u.length >= 1 && u.length <= 256

/**
 * A namespace: isolates tenants and tests; 1 to 128 characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Namespace = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(128))

/**
 * A scalar metadata value: a string, a finite number or a boolean.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MetadataScalar = Schema.Union([Schema.String, Schema.Finite, Schema.Boolean])
/**
 * A scalar metadata value: a string, a finite number or a boolean.
 *
 * @since 0.1.0
 * @category models
 */
export type MetadataScalar = typeof MetadataScalar.Type

/**
 * One metadata field: a scalar, or a list of at most 256 strings (e.g. `capabilities`, `tags`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const MetadataValue = Schema.Union([
  Schema.String,
  Schema.Finite,
  Schema.Boolean,
  Schema.Array(Schema.String).check(Schema.isMaxLength(256))
])
/**
 * One metadata field: a scalar or a list of strings.
 *
 * @since 0.1.0
 * @category models
 */
export type MetadataValue = typeof MetadataValue.Type

/**
 * Metadata of an entry: at most 64 fields. Conventional fields are `name`, `node`,
 * `capabilities: string[]` and `tags: string[]`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Metadata = Schema.Record(Schema.String, MetadataValue).check(Schema.isMaxProperties(64))
/**
 * Metadata of an entry.
 *
 * @since 0.1.0
 * @category models
 */
export type Metadata = typeof Metadata.Type

/**
 * The value an entry carries: any JSON value, e.g. an agent address `{ node: "local", id: "agent-17" }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegistryValue = Schema.Json
/**
 * The value an entry carries: any JSON value.
 *
 * @since 0.1.0
 * @category models
 */
export type RegistryValue = typeof RegistryValue.Type

/**
 * A `select` predicate: a conjunction of at most 16 field tests. A scalar field matches when it
 * equals the given value; a list field matches when it contains it. `{}` selects every entry.
 *
 * @example
 * ```ts
 * const selector: Selector = { capabilities: "auction", node: "a" }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Selector = Schema.Record(Schema.String, MetadataScalar).check(Schema.isMaxProperties(16))
/**
 * A `select` predicate: a conjunction of field tests.
 *
 * @since 0.1.0
 * @category models
 */
export type Selector = typeof Selector.Type

/**
 * One registered entry. `id` identifies this registration (it grows with each register, so a
 * re-registration of the same key gets a new one); `durable` entries are not tied to a scope.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Entry = Schema.Struct({
  key: RegistryKey,
  value: RegistryValue,
  metadata: Metadata,
  id: Schema.Int,
  durable: Schema.Boolean
})
/**
 * One registered entry.
 *
 * @since 0.1.0
 * @category models
 */
export type Entry = typeof Entry.Type

/**
 * A change of one namespace, in the order the changes happened: an entry was registered, its
 * metadata was updated (`previous` holds the old metadata), or it was unregistered.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegistryChange = Schema.TaggedUnion({
  Registered: { entry: Entry },
  Updated: { entry: Entry, previous: Metadata },
  Unregistered: { entry: Entry }
})
/**
 * A change of one namespace.
 *
 * @since 0.1.0
 * @category models
 */
export type RegistryChange = typeof RegistryChange.Type
