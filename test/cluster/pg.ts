/**
 * Postgres for the cluster tests: they run when `MABEAM_PG_URL` is set (`.ci/postgres.sh run -- ...`
 * starts a throwaway server and sets it) and `@effect/sql-pg` loads; otherwise they are skipped
 * with the printed reason.
 *
 * Each test gets a database of its own (`freshDatabase`), so test files that run at the same time
 * do not join each other's cluster through shared runner and shard-lock tables.
 */
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { ClusterStorage } from "../../src/cluster/index.ts"

export const pgUrl = process.env["MABEAM_PG_URL"]

/** Why the Postgres tests of `file` are skipped, or undefined when they run (printed once). */
export const pgSkipReason = async (file: string): Promise<string | undefined> => {
  const reason =
    pgUrl === undefined
      ? "MABEAM_PG_URL is not set (run under .ci/postgres.sh)"
      : !(await Effect.runPromise(ClusterStorage.postgresAvailable))
        ? "@effect/sql-pg is not installed"
        : undefined
  if (reason !== undefined) console.warn(`${file}: Postgres tests skipped: ${reason}`)
  return reason
}

/**
 * Creates a database of its own on the server of `MABEAM_PG_URL` and returns its URL; it is dropped
 * when the scope closes (best effort: the throwaway server goes away anyway).
 */
export const freshDatabase = (prefix: string) =>
  Effect.gen(function* () {
    const base = new URL(pgUrl ?? "postgres://postgres@127.0.0.1:5432/postgres")
    const name = `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`
    const admin = yield* Layer.build(ClusterStorage.layer(base.toString(), { maxConnections: 1 }))
    const sql = Context.get(admin, SqlClient.SqlClient)
    yield* Effect.acquireRelease(sql.unsafe(`CREATE DATABASE ${name}`), () =>
      sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).pipe(Effect.ignore)
    )
    const url = new URL(base)
    url.pathname = `/${name}`
    return url.toString()
  })
