/**
 * Where a cluster agent's state lives while the agent is not in memory.
 *
 * A virtual agent (Orleans-style) is addressed by `(kind, id)` whether or not it is resident:
 * its state is saved here after every message that changes it and loaded when the agent is
 * activated again (after passivation, or on another runner after a failover). The store holds
 * the Schema-encoded state as JSON text.
 *
 * `AgentStateStore.layerSql` works on any `effect/sql` driver (mabeam's SQLite, `@effect/sql-pg`);
 * `AgentStateStore.layerMemory` is for tests and benches of one process.
 *
 * @since 0.2.0
 */
import { Array as Arr, Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient, type SqlError } from "effect/sql"

/** Reading or writing an agent's saved state failed. */
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

/** What a state store implements. */
export interface AgentStateStoreShape {
  /** A short name for messages, e.g. `"sql"`. */
  readonly name: string
  /** The saved state of agent `id` of `kind`, if any. */
  readonly load: (kind: string, id: string) => Effect.Effect<Option.Option<string>, StateStoreError>
  /** Saves (inserts or replaces) the state of agent `id` of `kind`. */
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

/** The service key of the state store cluster agents use. */
export class AgentStateStore extends Context.Service<AgentStateStore, AgentStateStoreShape>()(
  "mabeam/cluster/AgentStateStore"
) {}

/** Options of the SQL state store. */
export interface SqlStateStoreOptions {
  /** Name of the table; letters, digits and `_`. Default `"mabeam_agent_state"`. */
  readonly table?: string | undefined
  /**
   * Rows per `INSERT` statement of `saveMany` (three parameters each). Default 1000, within the
   * parameter limits of SQLite (32 766) and Postgres (65 535).
   */
  readonly batchSize?: number | undefined
}

/**
 * Builds a state store over the `SqlClient` in context, creating its table if missing. The SQL is
 * portable (`ON CONFLICT ... DO UPDATE`), so it runs on SQLite and Postgres alike.
 */
export const makeSql = (options: SqlStateStoreOptions = {}) =>
  Effect.gen(function*() {
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
    const store: AgentStateStoreShape = {
      name: "sql",
      load: (kind, id) =>
        sql<{ state: string }>`SELECT state FROM ${table} WHERE kind = ${kind} AND id = ${id}`.pipe(
          Effect.map(([row]) => Option.fromNullishOr(row?.state)),
          Effect.mapError(fail(kind, id, "load"))
        ),
      save: (kind, id, state) =>
        sql`INSERT INTO ${table} (kind, id, state) VALUES (${kind}, ${id}, ${state})
          ON CONFLICT (kind, id) DO UPDATE SET state = excluded.state`.pipe(
            Effect.asVoid,
            Effect.mapError(fail(kind, id, "save"))
          ),
      saveMany: (kind, states) => {
        const insert = (rows: readonly [Row, ...Array<Row>]) =>
          sql`INSERT INTO ${table} ${sql.insert(rows)}
            ON CONFLICT (kind, id) DO UPDATE SET state = excluded.state`
        return sql.withTransaction(Effect.gen(function*() {
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
        })).pipe(Effect.mapError(fail(kind, "*", "saveMany")))
      },
      count: (kind) =>
        sql<{ n: number | bigint | string }>`SELECT count(*) AS n FROM ${table} WHERE kind = ${kind}`.pipe(
          Effect.map(([row]) => Number(row?.n ?? 0)),
          Effect.mapError(fail(kind, "*", "count"))
        )
    }
    return store
  })

/** The SQL state store over the `SqlClient` in context (table `mabeam_agent_state`). */
export const layerSql: Layer.Layer<AgentStateStore, StateStoreError, SqlClient.SqlClient> = Layer.effect(
  AgentStateStore,
  makeSql()
)

/** The SQL state store with options. */
export const layerSqlWith = (
  options: SqlStateStoreOptions
): Layer.Layer<AgentStateStore, StateStoreError, SqlClient.SqlClient> => Layer.effect(AgentStateStore, makeSql(options))

/** Builds an in-memory state store: one process, gone when the process ends. For tests and benches. */
export const makeMemory = (): AgentStateStoreShape => {
  const states = new Map<string, Map<string, string>>()
  return {
    name: "memory",
    load: (kind, id) => Effect.sync(() => Option.fromNullishOr(states.get(kind)?.get(id))),
    save: (kind, id, state) =>
      Effect.sync(() => {
        let ofKind = states.get(kind)
        if (ofKind === undefined) states.set(kind, ofKind = new Map())
        ofKind.set(id, state)
      }),
    saveMany: (kind, entries) =>
      Effect.sync(() => {
        // Staged first, so a throwing iterable saves nothing.
        const staged = Array.from(entries)
        let ofKind = states.get(kind)
        if (ofKind === undefined) states.set(kind, ofKind = new Map())
        for (const [id, state] of staged) ofKind.set(id, state)
        return staged.length
      }),
    count: (kind) => Effect.sync(() => states.get(kind)?.size ?? 0)
  }
}

/** The in-memory state store. */
export const layerMemory: Layer.Layer<AgentStateStore> = Layer.sync(AgentStateStore, makeMemory)
