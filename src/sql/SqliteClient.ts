/**
 * mabeam's own SQLite driver for `effect/sql`, over Node's built-in `node:sqlite` (`DatabaseSync`).
 *
 * It exists because the published `@effect/sql-sqlite-node` does not load on effect 4.1. It gives
 * the standard `SqlClient.SqlClient` service, so code written against it (the SQL registry backend,
 * the event store) runs unchanged on any other Effect SQL driver, e.g. `@effect/sql-pg`.
 *
 * One connection is shared through a semaphore: a statement borrows it, a transaction leases it
 * until it ends, so no other fiber can run a statement inside someone else's transaction.
 * The database is closed when the scope that built the client closes.
 *
 * @since 0.1.0
 */
import type { SQLInputValue, StatementSync } from "node:sqlite"
import { Effect, Layer, Option, Scope, Semaphore, Stream } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient, SqlConnection, SqlError, Statement } from "effect/sql"

/**
 * Options of a SQLite client. `filename` is a path or `":memory:"` (a private, throwaway database).
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteClientConfig {
  /** A database file (created if missing) or `":memory:"`. */
  readonly filename: string
  /** Open the file read-only; writes fail with a `SqlError`. Default `false`. */
  readonly readonly?: boolean | undefined
  /** How many prepared statements to keep; the least recently used is dropped past it. Default 256. */
  readonly statementCacheSize?: number | undefined
  /** Milliseconds a statement waits for a lock held by another process. Default 5000. */
  readonly busyTimeout?: number | undefined
  /** Extra attributes for every `sql` span. */
  readonly spanAttributes?: Record<string, unknown> | undefined
  /** Rename identifiers in queries, e.g. camelCase → snake_case. */
  readonly transformQueryNames?: ((name: string) => string) | undefined
  /** Rename columns in results, e.g. snake_case → camelCase. */
  readonly transformResultNames?: ((name: string) => string) | undefined
}

type Row = Record<string, unknown>

const toSqlError = (cause: unknown, message: string, operation: string): SqlError.SqlError => {
  // node:sqlite reports the SQLite (extended) result code as `errcode`; the shared classifier reads `errno`.
  if (typeof cause === "object" && cause !== null && "errcode" in cause && !("errno" in cause)) {
    Object.defineProperty(cause, "errno", { value: cause.errcode, enumerable: false })
  }
  return new SqlError.SqlError({ reason: SqlError.classifySqliteError(cause, { message, operation }) })
}

const toParams = (params: ReadonlyArray<unknown>): Array<SQLInputValue> =>
  params.map((p) =>
    p === undefined
      ? null
      : typeof p === "boolean"
        ? p
          ? 1
          : 0
        : p instanceof Date
          ? p.toISOString()
          : (p as SQLInputValue)
  )

const isReader = (statement: StatementSync): boolean => statement.columns().length > 0

/**
 * Opens the database and builds a `SqlClient` over it; the database is closed when the scope closes.
 * Fails with a `SqlError` (reason `ConnectionError`) if the file cannot be opened.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: SqliteClientConfig
): Effect.Effect<SqlClient.SqlClient, SqlError.SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function* () {
    const cacheSize = Math.max(0, Math.floor(config.statementCacheSize ?? 256))
    const cache = new Map<string, StatementSync>()
    // Loaded on first use, not on import: Node 22 prints an ExperimentalWarning when `node:sqlite`
    // loads, which every app importing mabeam (without using SQLite) would otherwise see.
    const { DatabaseSync } = yield* Effect.promise(() => import("node:sqlite"))
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const database = new DatabaseSync(config.filename, { readOnly: config.readonly ?? false })
          try {
            database.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(config.busyTimeout ?? 5000))}`)
            if (config.filename !== ":memory:" && config.readonly !== true) database.exec("PRAGMA journal_mode = WAL")
          } catch (error) {
            database.close()
            throw error
          }
          return database
        },
        catch: (cause) =>
          new SqlError.SqlError({
            reason: new SqlError.ConnectionError({
              cause,
              message: `cannot open SQLite database "${config.filename}"`,
              operation: "open"
            })
          })
      }),
      (database) =>
        Effect.sync(() => {
          cache.clear()
          if (database.isOpen) database.close()
        })
    )

    const prepare = (sql: string): StatementSync => {
      const hit = cache.get(sql)
      if (hit !== undefined) {
        // Re-insert to mark it most recently used; Map keeps insertion order.
        cache.delete(sql)
        cache.set(sql, hit)
        return hit
      }
      const statement = db.prepare(sql)
      if (cacheSize > 0) {
        if (cache.size >= cacheSize) {
          const oldest = cache.keys().next()
          if (oldest.done !== true) cache.delete(oldest.value)
        }
        cache.set(sql, statement)
      }
      return statement
    }

    const run = (
      statement: () => StatementSync,
      params: ReadonlyArray<unknown>,
      raw: boolean
    ): Effect.Effect<unknown, SqlError.SqlError> =>
      Effect.try({
        try: () => {
          const s = statement()
          if (isReader(s)) return s.all(...toParams(params))
          const result = s.run(...toParams(params))
          return raw ? result : []
        },
        catch: (cause) => toSqlError(cause, "failed to execute statement", "execute")
      })

    const rows = (
      statement: () => StatementSync,
      params: ReadonlyArray<unknown>,
      transformRows: (<A extends object>(row: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
    ): Effect.Effect<ReadonlyArray<Row>, SqlError.SqlError> =>
      Effect.map(run(statement, params, false), (result) => {
        const out = result as ReadonlyArray<Row>
        return transformRows ? transformRows(out) : out
      })

    const values = (statement: () => StatementSync, params: ReadonlyArray<unknown>) =>
      Effect.try({
        try: () => {
          const s = statement()
          if (!isReader(s)) {
            s.run(...toParams(params))
            return [] as ReadonlyArray<ReadonlyArray<unknown>>
          }
          s.setReturnArrays(true)
          try {
            return s.all(...toParams(params)) as unknown as ReadonlyArray<ReadonlyArray<unknown>>
          } finally {
            s.setReturnArrays(false)
          }
        },
        catch: (cause) => toSqlError(cause, "failed to execute statement", "execute")
      })

    const stream = (
      sql: string,
      params: ReadonlyArray<unknown>,
      transformRows: (<A extends object>(row: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
    ): Stream.Stream<Row, SqlError.SqlError> =>
      Stream.unwrap(
        Effect.gen(function* () {
          // A fresh statement: iterating a cached one would be reset by the next use of the same SQL.
          const iterator = yield* Effect.acquireRelease(
            Effect.try({
              try: () => db.prepare(sql).iterate(...toParams(params)) as Iterator<Row>,
              catch: (cause) => toSqlError(cause, "failed to execute statement", "stream")
            }),
            (it) => Effect.sync(() => it.return?.())
          )
          return Stream.paginate(undefined, () =>
            Effect.try({
              try: () => {
                const batch: Array<Row> = []
                let next = iterator.next()
                while (next.done !== true) {
                  batch.push(next.value)
                  if (batch.length >= 128) break
                  next = iterator.next()
                }
                const out = transformRows ? transformRows(batch) : batch
                return [out, next.done === true ? Option.none() : Option.some(undefined)] as const
              },
              catch: (cause) => toSqlError(cause, "failed to read rows", "stream")
            })
          )
        })
      )

    const connection: SqlConnection.Connection = {
      execute: (sql, params, transformRows) => rows(() => prepare(sql), params, transformRows),
      executeRaw: (sql, params) => run(() => prepare(sql), params, true),
      executeStream: stream,
      executeValues: (sql, params) => values(() => prepare(sql), params),
      executeValuesUnprepared: (sql, params) => values(() => db.prepare(sql), params),
      executeUnprepared: (sql, params, transformRows) => rows(() => db.prepare(sql), params, transformRows)
    }

    const closed = new SqlError.SqlError({
      reason: new SqlError.ConnectionError({
        cause: undefined,
        message: `SQLite database "${config.filename}" is closed`,
        operation: "acquire"
      })
    })
    const semaphore = yield* Semaphore.make(1)
    const acquirers = SqlClient.makeSqliteAcquirers({
      connection: Effect.suspend(() => (db.isOpen ? Effect.succeed(connection) : Effect.fail(closed))),
      semaphore,
      isTransaction: () => db.isTransaction
    })
    const transformRows = config.transformResultNames
      ? Statement.defaultTransforms(config.transformResultNames).array
      : undefined

    return yield* SqlClient.make({
      ...acquirers,
      compiler: Statement.makeCompilerSqlite(config.transformQueryNames),
      driver: "sqlite-node",
      prepareTransactionControls: true,
      releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
      spanAttributes: [
        ...(config.spanAttributes ? Object.entries(config.spanAttributes) : []),
        ["db.system.name", "sqlite"]
      ],
      transformRows
    })
  })

/**
 * A layer giving `SqlClient.SqlClient` over a SQLite database; the database closes with the layer's scope.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const sql = yield* SqlClient.SqlClient
 *   yield* sql`CREATE TABLE t (n INTEGER)`
 * }).pipe(Effect.provide(SqliteClient.layer({ filename: ":memory:" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: SqliteClientConfig): Layer.Layer<SqlClient.SqlClient, SqlError.SqlError> =>
  Layer.effect(SqlClient.SqlClient, make(config)).pipe(Layer.provide(Reactivity.layer))
