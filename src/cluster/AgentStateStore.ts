/**
 * Where a cluster agent's state lives while the agent is not in memory.
 *
 * A virtual agent (Orleans-style) is addressed by `(kind, id)` whether or not it is resident:
 * its state is saved here after every message that changes it and loaded when the agent is
 * activated again (after passivation, or on another runner after a failover). The store holds
 * the Schema-encoded state as JSON text.
 *
 * The SQL store group-commits: `save`s made while a transaction runs (by every agent of the
 * runner) are written together by the next one, and `load`s made together are one `SELECT ... IN`.
 * A `save` still resolves only once its state is committed, so a runner pays about one
 * transaction per tick instead of one per message, and activating many agents at once reads their
 * states in batches.
 *
 * `AgentStateStore.layerSql` works on any `effect/sql` driver (mabeam's SQLite, `@effect/sql-pg`);
 * `AgentStateStore.layerMemory` is for tests and benches of one process.
 *
 * @since 0.2.0
 */
import { Array as Arr, Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import * as Group from "./internal/group.ts"

/**
 * Reading or writing an agent's saved state failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class StateStoreError extends Schema.TaggedError<StateStoreError>()("StateStoreError", {
  kind: Schema.String,
  agent: Schema.String,
  operation: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `agent state store: ${this.operation} of "${this.kind}/${this.agent}" failed: ${this.reason}`
  }
}

/**
 * What a state store implements.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentStateStoreShape {
  /** A short name for messages, e.g. `"sql"`. */
  readonly name: string
  /** The saved state of agent `id` of `kind`, if any. Concurrent loads may be read in one query. */
  readonly load: (kind: string, id: string) => Effect.Effect<Option.Option<string>, StateStoreError>
  /**
   * Saves (inserts or replaces) the state of agent `id` of `kind`; resolves once it is durable.
   * Concurrent saves may share one transaction (group commit); of two concurrent saves of the same
   * agent, the later one wins.
   */
  readonly save: (kind: string, id: string, state: string) => Effect.Effect<void, StateStoreError>
  /**
   * Saves (inserts or replaces) many states of `kind` at once, e.g. to import agents in bulk; all
   * or none of them are saved. `states` is read once, lazily, so it can be a generator of any length;
   * its ids should be distinct (Postgres refuses an id twice in one batch). Succeeds with how many
   * states were saved.
   */
  readonly saveMany: (
    kind: string,
    states: Iterable<readonly [id: string, state: string]>
  ) => Effect.Effect<number, StateStoreError>
  /** How many agents of `kind` have a saved state. */
  readonly count: (kind: string) => Effect.Effect<number, StateStoreError>
}

/**
 * The service key of the state store cluster agents use.
 *
 * @since 0.1.0
 * @category services
 */
export class AgentStateStore extends Context.Service<AgentStateStore, AgentStateStoreShape>()(
  "mabeam/cluster/AgentStateStore"
) {}

/**
 * Options of the SQL state store.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqlStateStoreOptions {
  /** Name of the table; letters, digits and `_`. Default `"mabeam_agent_state"`. */
  readonly table?: string | undefined
  /**
   * Rows per `INSERT` statement of `saveMany` (three parameters each). Default 1000, within the
   * parameter limits of SQLite (32 766) and Postgres (65 535).
   */
  readonly batchSize?: number | undefined
  /**
   * Most saves one group commit writes (and most loads one batched read reads). Default 4096; `1`
   * turns grouping off (one statement per save, as before group commit).
   */
  readonly maxGroup?: number | undefined
}

/**
 * Builds a state store over the `SqlClient` in context, creating its table if missing. The SQL is
 * portable (`ON CONFLICT ... DO UPDATE`), so it runs on SQLite and Postgres alike.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSql = (options: SqlStateStoreOptions = {}) =>
  Effect.gen(function* () {
    const name = options.table ?? "mabeam_agent_state"
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      return yield* Effect.die(new Error(`AgentStateStore: invalid table name "${name}"`))
    }
    const batchSize = Math.max(1, Math.min(10_000, Math.floor(options.batchSize ?? 1000)))
    const sql = yield* SqlClient.SqlClient
    const table = sql(name)
    const fail = (kind: string, agent: string, operation: string) => (error: SqlError.SqlError) =>
      new StateStoreError({ kind, agent, operation, reason: error.message })
    yield* sql`CREATE TABLE IF NOT EXISTS ${table} (
      kind TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (kind, id))`.pipe(
      Effect.mapError(fail("*", "*", "create table"))
    )
    type Row = { kind: string; id: string; state: string }
    type Key = { readonly kind: string; readonly id: string }
    const maxGroup = Math.max(1, Math.min(100_000, Math.floor(options.maxGroup ?? 4096)))
    const insert = (rows: readonly [Row, ...Array<Row>]) =>
      sql`INSERT INTO ${table} ${sql.insert(rows)}
        ON CONFLICT (kind, id) DO UPDATE SET state = excluded.state`
    const chunks = <A>(items: ReadonlyArray<A>): Array<[A, ...Array<A>]> => {
      const out: Array<[A, ...Array<A>]> = []
      for (let i = 0; i < items.length; i += batchSize) out.push(items.slice(i, i + batchSize) as [A, ...Array<A>])
      return out
    }
    // One transaction for the whole group; of two saves of one agent the later wins (Postgres
    // refuses one row twice in one INSERT ... ON CONFLICT).
    const commit = Group.make<Row, void, StateStoreError>((rows) => {
      const latest = new Map<string, Row>()
      for (const row of rows) latest.set(`${row.kind}\u0000${row.id}`, row)
      const unique = Array.from(latest.values())
      const write = Effect.forEach(chunks(unique), insert, { discard: true })
      return (unique.length === 1 ? write : sql.withTransaction(write)).pipe(
        Effect.as(rows.map(() => undefined)),
        Effect.mapError(
          fail(
            rows.length === 1 ? rows[0]!.kind : "*",
            rows.length === 1 ? rows[0]!.id : "*",
            `save (group of ${rows.length})`
          )
        )
      )
    }, maxGroup)
    const read = Group.make<Key, Option.Option<string>, StateStoreError>((keys) => {
      const byKind = new Map<string, Set<string>>()
      for (const key of keys) {
        let ids = byKind.get(key.kind)
        if (ids === undefined) byKind.set(key.kind, (ids = new Set()))
        ids.add(key.id)
      }
      const found = new Map<string, string>()
      return Effect.forEach(
        byKind,
        ([kind, ids]) =>
          Effect.forEach(
            chunks(Array.from(ids)),
            (chunk) =>
              (chunk.length === 1
                ? sql<{
                    id: string
                    state: string
                  }>`SELECT id, state FROM ${table} WHERE kind = ${kind} AND id = ${chunk[0]}`
                : sql<{
                    id: string
                    state: string
                  }>`SELECT id, state FROM ${table} WHERE kind = ${kind} AND id IN ${sql.in(chunk)}`
              ).pipe(
                Effect.map((rows) => {
                  for (const row of rows) found.set(`${kind}\u0000${row.id}`, row.state)
                })
              ),
            { discard: true }
          ),
        { discard: true }
      ).pipe(
        Effect.map(() => keys.map((key) => Option.fromNullishOr(found.get(`${key.kind}\u0000${key.id}`)))),
        Effect.mapError(
          fail(
            keys.length === 1 ? keys[0]!.kind : "*",
            keys.length === 1 ? keys[0]!.id : "*",
            `load (batch of ${keys.length})`
          )
        )
      )
    }, maxGroup)
    const store: AgentStateStoreShape = {
      name: "sql",
      load: (kind, id) => read.submit({ kind, id }),
      save: (kind, id, state) => commit.submit({ kind, id, state }),
      saveMany: (kind, states) => {
        return sql
          .withTransaction(
            Effect.gen(function* () {
              let saved = 0
              let rows: Array<Row> = []
              for (const [id, state] of states) {
                rows.push({ kind, id, state })
                if (rows.length === batchSize) {
                  yield* insert(rows as [Row, ...Array<Row>])
                  saved += rows.length
                  rows = []
                }
              }
              if (Arr.isArrayNonEmpty(rows)) {
                yield* insert(rows)
                saved += rows.length
              }
              return saved
            })
          )
          .pipe(Effect.mapError(fail(kind, "*", "saveMany")))
      },
      count: (kind) =>
        sql<{ n: number | bigint | string }>`SELECT count(*) AS n FROM ${table} WHERE kind = ${kind}`.pipe(
          Effect.map(([row]) => Number(row?.n ?? 0)),
          Effect.mapError(fail(kind, "*", "count"))
        )
    }
    return store
  })

/**
 * The SQL state store over the `SqlClient` in context (table `mabeam_agent_state`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSql: Layer.Layer<AgentStateStore, StateStoreError, SqlClient.SqlClient> = Layer.effect(
  AgentStateStore,
  makeSql()
)

/**
 * The SQL state store with options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlWith = (
  options: SqlStateStoreOptions
): Layer.Layer<AgentStateStore, StateStoreError, SqlClient.SqlClient> => Layer.effect(AgentStateStore, makeSql(options))

/**
 * Builds an in-memory state store: one process, gone when the process ends. For tests and benches.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (): AgentStateStoreShape => {
  const states = new Map<string, Map<string, string>>()
  return {
    name: "memory",
    load: (kind, id) => Effect.sync(() => Option.fromNullishOr(states.get(kind)?.get(id))),
    save: (kind, id, state) =>
      Effect.sync(() => {
        let ofKind = states.get(kind)
        if (ofKind === undefined) states.set(kind, (ofKind = new Map()))
        ofKind.set(id, state)
      }),
    saveMany: (kind, entries) =>
      Effect.sync(() => {
        // Staged first, so a throwing iterable saves nothing.
        const staged = Array.from(entries)
        let ofKind = states.get(kind)
        if (ofKind === undefined) states.set(kind, (ofKind = new Map()))
        for (const [id, state] of staged) ofKind.set(id, state)
        return staged.length
      }),
    count: (kind) => Effect.sync(() => states.get(kind)?.size ?? 0)
  }
}

/**
 * The in-memory state store.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<AgentStateStore> = Layer.sync(AgentStateStore, makeMemory)
