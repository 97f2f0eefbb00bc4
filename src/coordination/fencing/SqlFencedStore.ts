/**
 * A `FencedStore` over SQL, for resources that must outlive the process. It depends only on
 * `SqlClient.SqlClient` from `effect/sql` (mabeam's SQLite driver in `mabeam/sql`, or any other Effect
 * SQL driver), in portable SQL (`ON CONFLICT ... DO UPDATE ... WHERE`, `RETURNING`).
 *
 * One table (name configurable, default `mabeam_fenced`) holds one row per key: the highest
 * token that wrote it and the value, as JSON. A write is one upsert whose update applies only when
 * the new token is at least the stored one, so the check and the write are one atomic statement at
 * the database: two processes writing under two leases cannot both pass a check and then overwrite
 * each other. The statement and the read of the refusing token run in one transaction, so the
 * `StaleToken` reports the token that refused the write.
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { InvalidInput } from "../../errors/index.ts"
import { type FencedStore, StaleToken } from "./Fencing.ts"

/**
 * Options of the SQL fenced store.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqlFencedStoreOptions {
  /** The table's name; letters, digits and `_`. Default `"mabeam_fenced"`. */
  readonly table?: string | undefined
}

interface Row {
  readonly token: number | bigint
  readonly value: string
}

/**
 * Builds a fenced store over the `SqlClient` in context, creating its table if missing. Values are
 * stored as JSON: a value JSON cannot represent (a function, `undefined`, a bigint, a cycle) is
 * refused with `InvalidInput` and changes nothing. Fails with `InvalidInput` for a bad table name.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSqlFencedStore = <V>(
  options: SqlFencedStoreOptions = {}
): Effect.Effect<FencedStore<V, SqlError.SqlError>, InvalidInput | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const name = options.table ?? "mabeam_fenced"
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      return yield* new InvalidInput({ where: "makeSqlFencedStore", issue: `invalid table name "${name}"` })
    }
    const sql = yield* SqlClient.SqlClient
    const table = sql(name)
    yield* sql`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, token INTEGER NOT NULL, value TEXT NOT NULL)`

    const highest = (key: string) =>
      Effect.map(sql<Row>`SELECT token, value FROM ${table} WHERE key = ${key}`, ([row]) =>
        row === undefined ? 0 : Number(row.token)
      )

    const encode = (value: V): string | undefined => {
      try {
        return JSON.stringify(value)
      } catch {
        return undefined
      }
    }

    const write = (key: string, token: number, value: V) =>
      Effect.suspend((): Effect.Effect<void, StaleToken | InvalidInput | SqlError.SqlError> => {
        if (!Number.isSafeInteger(token) || token < 0) {
          return Effect.fail(
            new InvalidInput({
              where: "SqlFencedStore.write",
              issue: `fencing token must be a non-negative integer, got ${token}`
            })
          )
        }
        const json = encode(value)
        if (json === undefined) {
          return Effect.fail(
            new InvalidInput({ where: "SqlFencedStore.write", issue: `the value for "${key}" has no JSON form` })
          )
        }
        return sql.withTransaction(
          Effect.gen(function* () {
            const written = yield* sql<{ token: number | bigint }>`INSERT INTO ${table} (key, token, value)
              VALUES (${key}, ${token}, ${json})
              ON CONFLICT (key) DO UPDATE SET token = excluded.token, value = excluded.value
              WHERE excluded.token >= ${table}.token
              RETURNING token`
            if (written.length > 0) return
            return yield* Effect.fail(new StaleToken({ resource: key, token, highest: yield* highest(key) }))
          })
        )
      })

    const read = (key: string) =>
      Effect.map(sql<Row>`SELECT token, value FROM ${table} WHERE key = ${key}`, ([row]) =>
        row === undefined ? Option.none<V>() : Option.some(JSON.parse(row.value) as V)
      )

    return { write, read, token: highest }
  })
