/**
 * Where a cluster keeps its shared tables (runners, shard locks, messages, agent state), named by
 * one string so a runner process can take it as an argument:
 *
 * - `postgres://user@host:port/database` (or `postgresql://`): a Postgres server through
 *   `@effect/sql-pg`, loaded on demand (it is an optional dependency);
 * - anything else: the path of a SQLite file (mabeam's `node:sqlite` driver), shared by the runner
 *   processes of one machine.
 *
 * @since 0.2.0
 */
import { Effect, Layer, Redacted, Schema } from "effect"
import type { SqlClient, SqlError } from "effect/sql"
import { SqliteClient } from "../sql/index.ts"

/**
 * The storage could not be opened (e.g. the Postgres driver is not installed).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClusterStorageError extends Schema.TaggedError<ClusterStorageError>()("ClusterStorageError", {
  storage: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `cluster storage "${this.storage}": ${this.reason}`
  }
}

/**
 * The two kinds of storage.
 *
 * @since 0.1.0
 * @category models
 */
export type StorageSpec =
  | { readonly _tag: "Postgres"; readonly url: string }
  | { readonly _tag: "Sqlite"; readonly filename: string }

/**
 * Reads a storage string (see the module comment).
 *
 * @since 0.1.0
 * @category utils
 */
export const parse = (storage: string): StorageSpec =>
  /^postgres(ql)?:\/\//.test(storage) ? { _tag: "Postgres", url: storage } : { _tag: "Sqlite", filename: storage }

/** The part of `@effect/sql-pg` used here. */
interface PgModule {
  readonly PgClient: {
    readonly layer: (config: {
      readonly url: Redacted.Redacted
      readonly maxConnections?: number
    }) => Layer.Layer<SqlClient.SqlClient, SqlError.SqlError>
  }
}

// A computed specifier: the package is optional, so neither tsc nor a bundler must require it.
const pgSpecifier = ["@effect", "sql-pg"].join("/")

/**
 * Whether `@effect/sql-pg` can be loaded here.
 *
 * @since 0.1.0
 * @category utils
 */
export const postgresAvailable: Effect.Effect<boolean> = Effect.promise(() =>
  import(pgSpecifier).then(
    () => true,
    () => false
  )
)

/**
 * A password-free description of a storage string, for logs.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (storage: string): string => {
  const spec = parse(storage)
  if (spec._tag === "Sqlite") return `SQLite ${spec.filename}`
  const url = new URL(spec.url)
  return `Postgres ${url.hostname}:${url.port || "5432"}${url.pathname}`
}

/**
 * The `SqlClient` of the storage named by `storage`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  storage: string,
  options: { readonly maxConnections?: number | undefined } = {}
): Layer.Layer<SqlClient.SqlClient, SqlError.SqlError | ClusterStorageError> => {
  const spec = parse(storage)
  if (spec._tag === "Sqlite") return SqliteClient.layer({ filename: spec.filename })
  return Layer.unwrap(
    Effect.tryPromise({
      try: () => import(pgSpecifier) as Promise<PgModule>,
      catch: () => new ClusterStorageError({ storage: describe(storage), reason: "@effect/sql-pg is not installed" })
    }).pipe(
      Effect.map((pg) =>
        pg.PgClient.layer({
          url: Redacted.make(spec.url),
          ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections })
        })
      )
    )
  )
}
