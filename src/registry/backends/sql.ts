/**
 * The SQL registry backend, for durable entries. It depends only on `SqlClient.SqlClient` from
 * `effect/sql`, so it runs on mabeam's SQLite driver (`src/sql`) or on any other Effect SQL
 * driver (written in portable SQL: `ON CONFLICT DO NOTHING`, `RETURNING`).
 *
 * Tables (prefix configurable, default `mabeam_registry`): `_entries` holds one row per entry with
 * its value and metadata as JSON; `_fields` holds one row per indexed metadata value (one per
 * element of a list field), indexed on `(namespace, field, value)`, so `select` reads only the
 * matching rows. `_seq` hands out registration ids.
 *
 * Writes are serialized and each runs in one transaction; a change event is published after its
 * transaction commits, so subscribers see changes in commit order. Changes made by other processes
 * sharing the database are not observed.
 *
 * Ownership across restarts: an entry registered with `register` belongs to a scope of this
 * process. If the process dies without closing it, the row stays until the next backend starts on
 * the same database, which removes every non-durable entry it finds; `registerDurable` entries
 * are kept. One backend instance owns a database at a time, by lease: a row in `_holder` names
 * the instance and when its lease ends (Clock time; renewed every third of `leaseMillis`, given
 * up when the backend's scope closes). A second backend opening the same tables while the lease
 * is live refuses to start (`BackendUnavailable`), so it never deletes the live entries of
 * another process; once a crashed holder's lease has run out, the next backend takes over and
 * cleans up after it.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { Clock, Effect, Layer, Option, Schedule, Schema, Semaphore } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { makeChangeHub } from "../internal/changes.ts"
import { type NewEntry, RegistryBackend, type RegistryBackendShape } from "../RegistryBackend.ts"
import { AlreadyRegistered, BackendUnavailable, NotRegistered } from "../RegistryError.ts"
import { Entry, type Metadata, type Selector } from "../schema.ts"

/**
 * Options of the SQL backend.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqlBackendOptions {
  /** Prefix of the backend's table names; letters, digits and `_`. Default `"mabeam_registry"`. */
  readonly tablePrefix?: string | undefined
  /** Changes each `changes` subscriber may buffer before it fails with `ChangesLagged`. Default 4096. */
  readonly changesCapacity?: number | undefined
  /** How long this backend's hold on the database lasts without renewal, ms. Default 30 000. */
  readonly leaseMillis?: number | undefined
}

interface Row {
  readonly key: string
  readonly id: number | bigint
  readonly value: string
  readonly metadata: string
  readonly durable: number | boolean
}

const decodeEntry = Schema.decodeUnknownEffect(Entry)

const unavailable = (operation: string) => (error: SqlError.SqlError | Schema.SchemaError | string) =>
  new BackendUnavailable({ backend: "sql", operation, reason: typeof error === "string" ? error : error.message })

// Field values are stored as JSON so that 1, "1" and true stay distinct, as in the memory backend.
const fieldRows = (namespace: string, entry: Entry) => {
  const rows: Array<{ namespace: string; key: string; id: number; field: string; value: string }> = []
  for (const field in entry.metadata) {
    const value = entry.metadata[field]
    if (value === undefined) continue
    const values = Array.isArray(value) ? value : [value]
    for (const v of values) rows.push({ namespace, key: entry.key, id: entry.id, field, value: JSON.stringify(v) })
  }
  return rows
}

/**
 * Builds a SQL backend: creates its tables if missing and removes non-durable entries left by a
 * process that died. Fails with `BackendUnavailable` if the database refuses.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: SqlBackendOptions = {}) =>
  Effect.gen(function* () {
    const prefix = options.tablePrefix ?? "mabeam_registry"
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) {
      return yield* Effect.die(new Error(`SqlBackend: invalid table prefix "${prefix}"`))
    }
    const sql = yield* SqlClient.SqlClient
    const hub = yield* makeChangeHub(Math.max(1, options.changesCapacity ?? 4096))
    const writeLock = yield* Semaphore.make(1)
    const entries = sql(`${prefix}_entries`)
    const fields = sql(`${prefix}_fields`)
    const seq = sql(`${prefix}_seq`)
    const holder = sql(`${prefix}_holder`)
    const instance = randomUUID()
    const lease = Math.max(1_000, options.leaseMillis ?? 30_000)

    yield* sql
      .withTransaction(
        Effect.gen(function* () {
          yield* sql`CREATE TABLE IF NOT EXISTS ${entries} (
        namespace TEXT NOT NULL, key TEXT NOT NULL, id INTEGER NOT NULL, value TEXT NOT NULL,
        metadata TEXT NOT NULL, durable INTEGER NOT NULL, PRIMARY KEY (namespace, key))`
          yield* sql`CREATE TABLE IF NOT EXISTS ${fields} (
        namespace TEXT NOT NULL, key TEXT NOT NULL, id INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL)`
          yield* sql`CREATE INDEX IF NOT EXISTS ${sql(`${prefix}_fields_by_value`)} ON ${fields} (namespace, field, value)`
          yield* sql`CREATE INDEX IF NOT EXISTS ${sql(`${prefix}_fields_by_key`)} ON ${fields} (namespace, key)`
          yield* sql`CREATE TABLE IF NOT EXISTS ${seq} (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`
          yield* sql`INSERT INTO ${seq} (name, value) VALUES ('entry', 0) ON CONFLICT DO NOTHING`
          yield* sql`CREATE TABLE IF NOT EXISTS ${holder} (name TEXT PRIMARY KEY, instance TEXT NOT NULL, expires INTEGER NOT NULL)`
          const now = yield* Clock.currentTimeMillis
          const [current] = yield* sql<{
            instance: string
            expires: number | bigint
          }>`SELECT instance, expires FROM ${holder} WHERE name = 'registry'`
          if (current !== undefined && Number(current.expires) > now) {
            return yield* Effect.fail(
              `the database is held by registry instance ${current.instance} until ${Number(current.expires)}; ` +
                `refusing to start (it would remove that instance's live entries)`
            )
          }
          yield* sql`INSERT INTO ${holder} (name, instance, expires) VALUES ('registry', ${instance}, ${now + lease})
        ON CONFLICT (name) DO UPDATE SET instance = excluded.instance, expires = excluded.expires`
          yield* sql`DELETE FROM ${fields} WHERE id IN (SELECT id FROM ${entries} WHERE durable = 0)`
          yield* sql`DELETE FROM ${entries} WHERE durable = 0`
        })
      )
      .pipe(Effect.mapError(unavailable("start")))

    // Renew the lease while the backend lives; give it up when its scope closes.
    const renew = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => sql`UPDATE ${holder} SET expires = ${now + lease} WHERE name = 'registry' AND instance = ${instance}`
    ).pipe(Effect.catch((error) => Effect.logWarning("SqlBackend: could not renew the registry lease", error.message)))
    yield* Effect.forkScoped(Effect.repeat(renew, Schedule.spaced(Math.floor(lease / 3))))
    yield* Effect.addFinalizer(() =>
      sql`DELETE FROM ${holder} WHERE name = 'registry' AND instance = ${instance}`.pipe(Effect.ignore)
    )

    const toEntry = (operation: string) => (row: Row) =>
      Effect.try({
        try: () => ({
          key: row.key,
          id: Number(row.id),
          value: JSON.parse(row.value) as unknown,
          metadata: JSON.parse(row.metadata) as unknown,
          durable: row.durable === 1 || row.durable === true
        }),
        catch: () => `corrupt row for key "${row.key}"`
      }).pipe(Effect.flatMap(decodeEntry), Effect.mapError(unavailable(operation)))

    const insertFields = (namespace: string, entry: Entry) => {
      const rows = fieldRows(namespace, entry)
      const batches: Array<Effect.Effect<unknown, SqlError.SqlError>> = []
      for (let i = 0; i < rows.length; i += 500) {
        const [first, ...rest] = rows.slice(i, i + 500)
        if (first !== undefined) batches.push(sql`INSERT INTO ${fields} ${sql.insert([first, ...rest])}`)
      }
      return Effect.all(batches, { discard: true })
    }

    // One writer at a time; the change is published after commit and before the next write starts.
    const write = <A, E>(
      operation: string,
      body: Effect.Effect<A, E | SqlError.SqlError>
    ): Effect.Effect<A, Exclude<E, SqlError.SqlError> | BackendUnavailable> =>
      writeLock.withPermit(
        sql
          .withTransaction(body)
          .pipe(
            Effect.mapError((error) =>
              SqlError.isSqlError(error) ? unavailable(operation)(error) : (error as Exclude<E, SqlError.SqlError>)
            )
          )
      )

    const selectRow = (namespace: string, key: string) =>
      sql<Row>`SELECT key, id, value, metadata, durable FROM ${entries} WHERE namespace = ${namespace} AND key = ${key}`

    const register = (namespace: string, input: NewEntry) =>
      write(
        "register",
        Effect.gen(function* () {
          const [next] = yield* sql<{
            value: number | bigint
          }>`UPDATE ${seq} SET value = value + 1 WHERE name = 'entry' RETURNING value`
          if (next === undefined) return yield* Effect.fail(unavailable("register")("registration counter missing"))
          const entry: Entry = { ...input, id: Number(next.value) }
          const inserted = yield* sql`INSERT INTO ${entries} ${sql.insert({
            namespace,
            key: entry.key,
            id: entry.id,
            value: JSON.stringify(entry.value),
            metadata: JSON.stringify(entry.metadata),
            durable: entry.durable ? 1 : 0
          })} ON CONFLICT DO NOTHING RETURNING id`
          if (inserted.length === 0) return yield* Effect.fail(new AlreadyRegistered({ namespace, key: entry.key }))
          yield* insertFields(namespace, entry)
          return entry
        })
      ).pipe(Effect.tap((entry) => Effect.sync(() => hub.publish(namespace, { _tag: "Registered", entry }))))

    const unregister = (namespace: string, key: string, id?: number) =>
      write(
        "unregister",
        Effect.gen(function* () {
          const [row] = yield* sql<Row>`DELETE FROM ${entries} WHERE namespace = ${namespace} AND key = ${key}${
            id === undefined ? sql`` : sql` AND id = ${id}`
          } RETURNING key, id, value, metadata, durable`
          if (row === undefined) return Option.none<Entry>()
          yield* sql`DELETE FROM ${fields} WHERE namespace = ${namespace} AND key = ${key}`
          return Option.some(yield* toEntry("unregister")(row))
        })
      ).pipe(
        Effect.tap((removed) =>
          Effect.sync(() => {
            if (removed._tag === "Some") hub.publish(namespace, { _tag: "Unregistered", entry: removed.value })
          })
        )
      )

    const update = (namespace: string, key: string, metadata: Metadata) =>
      write(
        "update",
        Effect.gen(function* () {
          const [row] = yield* selectRow(namespace, key)
          if (row === undefined) return yield* Effect.fail(new NotRegistered({ namespace, key }))
          const previous = yield* toEntry("update")(row)
          const entry: Entry = { ...previous, metadata }
          yield* sql`UPDATE ${entries} SET metadata = ${JSON.stringify(metadata)} WHERE namespace = ${namespace} AND key = ${key}`
          yield* sql`DELETE FROM ${fields} WHERE namespace = ${namespace} AND key = ${key}`
          yield* insertFields(namespace, entry)
          return { entry, previous: previous.metadata }
        })
      ).pipe(
        Effect.tap(({ entry, previous }) =>
          Effect.sync(() => hub.publish(namespace, { _tag: "Updated", entry, previous }))
        ),
        Effect.map(({ entry }) => entry)
      )

    const select = (namespace: string, selector: Selector) => {
      const tests = Object.entries(selector).map(
        ([field, value]) =>
          sql`key IN (SELECT key FROM ${fields} WHERE namespace = ${namespace} AND field = ${field} AND value = ${JSON.stringify(
            value
          )})`
      )
      return sql<Row>`SELECT key, id, value, metadata, durable FROM ${entries} WHERE ${sql.and([
        sql`namespace = ${namespace}`,
        ...tests
      ])}`.pipe(
        Effect.mapError(unavailable("select")),
        Effect.flatMap((rows) => Effect.forEach(rows, toEntry("select")))
      )
    }

    const backend: RegistryBackendShape = {
      name: "sql",
      register,
      unregister,
      lookup: (namespace, key) =>
        selectRow(namespace, key).pipe(
          Effect.mapError(unavailable("lookup")),
          Effect.flatMap(([row]) =>
            row === undefined ? Effect.succeed(Option.none()) : Effect.map(toEntry("lookup")(row), Option.some)
          )
        ),
      update,
      select,
      count: (namespace) =>
        sql<{ n: number | bigint }>`SELECT count(*) AS n FROM ${entries} WHERE namespace = ${namespace}`.pipe(
          Effect.map(([row]) => Number(row?.n ?? 0)),
          Effect.mapError(unavailable("count"))
        ),
      keys: (namespace) =>
        sql<{ key: string }>`SELECT key FROM ${entries} WHERE namespace = ${namespace}`.pipe(
          // Sorted in JavaScript: SQL collations order non-ASCII keys differently.
          Effect.map((rows) => rows.map((r) => r.key).sort()),
          Effect.mapError(unavailable("keys"))
        ),
      subscribe: hub.subscribe
    }
    return backend
  })

/**
 * The SQL backend as a `RegistryBackend` layer over the `SqlClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RegistryBackend, BackendUnavailable, SqlClient.SqlClient> = Layer.effect(
  RegistryBackend,
  make()
)

/**
 * The SQL backend as a `RegistryBackend` layer, with options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (
  options: SqlBackendOptions
): Layer.Layer<RegistryBackend, BackendUnavailable, SqlClient.SqlClient> => Layer.effect(RegistryBackend, make(options))
