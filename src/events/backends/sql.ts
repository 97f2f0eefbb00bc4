/**
 * The SQL backend: table `mabeam_events` through `SqlClient` (SQLite via `src/sql`, or any other
 * effect/sql driver). Survives restarts; retention is applied by `DELETE` after each insert.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import { SqlClient } from "effect/sql"
import type { EventBackend } from "../Backend.ts"
import { EventStoreFailure } from "../EventError.ts"
import { DEFAULT_LIMIT, oldestRetained, toPage } from "../internal/page.ts"
import type { Retention, StoredEvent } from "../schema.ts"

interface Row {
  readonly seq: number
  readonly id: string
  readonly type: string
  readonly time: number
  readonly correlation_id: string | null
  readonly payload: string
}

const decodePayload = Schema.decodeUnknownEffect(Schema.fromJsonString(Schema.Json))

const fromRow = (row: Row): Effect.Effect<StoredEvent, EventStoreFailure> =>
  decodePayload(row.payload).pipe(
    Effect.mapError(
      (error) => new EventStoreFailure({ operation: "read", reason: `event "${row.id}": ${error.message}` })
    ),
    Effect.map((payload) => ({
      sequence: Number(row.seq),
      id: row.id,
      type: row.type,
      time: Number(row.time),
      ...(row.correlation_id === null ? {} : { correlationId: row.correlation_id }),
      payload
    }))
  )

const failure = (operation: string) => (error: { readonly message: string }) =>
  new EventStoreFailure({ operation, reason: error.message })

/**
 * Creates the table and indexes if missing and returns the backend.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSqlBackend = (
  retention: Retention
): Effect.Effect<EventBackend, EventStoreFailure, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* Effect.all(
      [
        sql`CREATE TABLE IF NOT EXISTS mabeam_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        time INTEGER NOT NULL,
        correlation_id TEXT,
        payload TEXT NOT NULL)`,
        sql`CREATE INDEX IF NOT EXISTS mabeam_events_type ON mabeam_events (type, seq)`,
        sql`CREATE INDEX IF NOT EXISTS mabeam_events_correlation ON mabeam_events (correlation_id, seq)`,
        sql`CREATE INDEX IF NOT EXISTS mabeam_events_time ON mabeam_events (time)`
      ],
      { discard: true }
    ).pipe(Effect.mapError(failure("migrate")))

    const rows = (statement: Effect.Effect<ReadonlyArray<Row>, { readonly message: string }>, operation: string) =>
      statement.pipe(
        Effect.mapError(failure(operation)),
        Effect.flatMap((rs) => Effect.forEach(rs, fromRow))
      )

    return {
      findById: (id) =>
        rows(sql<Row>`SELECT * FROM mabeam_events WHERE id = ${id}`, "findById").pipe(Effect.map((rs) => rs[0])),
      insert: (event, time) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const inserted = yield* sql<Row>`INSERT INTO mabeam_events ${sql.insert({
                id: event.id,
                type: event.type,
                time,
                correlation_id: event.correlationId ?? null,
                payload: JSON.stringify(event.payload)
              })} RETURNING *`
              yield* sql`DELETE FROM mabeam_events WHERE seq <= (
            SELECT seq FROM mabeam_events ORDER BY seq DESC LIMIT 1 OFFSET ${retention.maxCount})`
              if (retention.maxAgeMillis > 0) {
                yield* sql`DELETE FROM mabeam_events WHERE time < ${oldestRetained(retention, time)}`
              }
              return inserted
            })
          )
          .pipe(
            Effect.mapError(failure("insert")),
            Effect.flatMap((rs) =>
              rs[0] === undefined
                ? Effect.fail(new EventStoreFailure({ operation: "insert", reason: "no row returned" }))
                : fromRow(rs[0])
            )
          ),
      query: (query, now) => {
        const limit = query.limit ?? DEFAULT_LIMIT
        const oldest = oldestRetained(retention, now)
        const clauses = [
          ...(Number.isFinite(oldest) ? [sql`time >= ${oldest}`] : []),
          ...(query.after === undefined ? [] : [sql`seq > ${query.after}`]),
          ...(query.type === undefined ? [] : [sql`type = ${query.type}`]),
          ...(query.correlationId === undefined ? [] : [sql`correlation_id = ${query.correlationId}`]),
          ...(query.from === undefined ? [] : [sql`time >= ${query.from}`]),
          ...(query.to === undefined ? [] : [sql`time < ${query.to}`])
        ]
        const where = clauses.length === 0 ? sql`1 = 1` : sql.and(clauses)
        return rows(sql<Row>`SELECT * FROM mabeam_events WHERE ${where} ORDER BY seq LIMIT ${limit + 1}`, "query").pipe(
          Effect.map((events) => toPage(events, limit))
        )
      },
      count: sql<{ readonly n: number }>`SELECT count(*) AS n FROM mabeam_events`.pipe(
        Effect.mapError(failure("count")),
        Effect.map((rs) => Number(rs[0]?.n ?? 0))
      )
    }
  })
