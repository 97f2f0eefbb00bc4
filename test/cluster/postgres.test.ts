/**
 * The cluster on a real Postgres: two socket runners on 127.0.0.1 whose shard locks, runner table
 * and agent state live in Postgres (through `@effect/sql-pg`).
 *
 * Runs when `MABEAM_PG_URL` is set (`.ci/postgres.sh run -- npx vitest run test/cluster` starts a
 * throwaway server and sets it) and `@effect/sql-pg` is installed; otherwise it is skipped.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import type { SqlClient, SqlError } from "effect/sql"
import { AgentStateStore } from "../../src/cluster/index.ts"
import { eventually, Get, Increment } from "./fixtures.ts"
import { freePort, LoopbackCounter, ownerOf, startRunner } from "./runner-layer.ts"

interface PgModule {
  readonly PgClient: {
    readonly layer: (config: {
      readonly host: string
      readonly port: number
      readonly database: string
      readonly username: string
    }) => Layer.Layer<SqlClient.SqlClient, SqlError.SqlError>
  }
}

const url = process.env["MABEAM_PG_URL"]
// A computed specifier: the package is optional, so neither tsc nor vite must require it.
const specifier = ["@effect", "sql-pg"].join("/")
const pg: PgModule | undefined = url === undefined
  ? undefined
  : await import(specifier).then((module: PgModule) => module, () => undefined)
const skipReason = url === undefined
  ? "MABEAM_PG_URL is not set (run under .ci/postgres.sh)"
  : pg === undefined
  ? "@effect/sql-pg is not installed"
  : undefined
if (skipReason !== undefined) console.warn(`test/cluster/postgres.test.ts skipped: ${skipReason}`)

const pgLayer = () => {
  const parsed = new URL(url ?? "postgres://postgres@127.0.0.1:5432/postgres")
  return (pg as PgModule).PgClient.layer({
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    database: parsed.pathname.slice(1) || "postgres",
    username: decodeURIComponent(parsed.username || "postgres")
  })
}

// Ids unique to this run, so a reused database holds no state of theirs.
const run = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`

describe.skipIf(skipReason !== undefined)(`the cluster on Postgres${skipReason === undefined ? "" : ` (skipped: ${skipReason})`}`, () => {
  it.live("the agent state store round-trips through Postgres", () =>
    Effect.gen(function*() {
      const sql = yield* Layer.build(pgLayer())
      const store = Context.get(
        yield* Layer.build(AgentStateStore.layerSql.pipe(Layer.provide(Layer.succeedContext(sql)))),
        AgentStateStore.AgentStateStore
      )
      yield* store.save("pg-kind", `${run}-x`, "1")
      yield* store.save("pg-kind", `${run}-x`, "2")
      const loaded = yield* store.load("pg-kind", `${run}-x`)
      assert.deepStrictEqual(loaded._tag === "Some" ? loaded.value : undefined, "2")
    }))

  it.live("two runners share Postgres: cross-runner asks, and a stopped runner's agents move with their state", () =>
    Effect.gen(function*() {
      const sql = yield* Layer.build(pgLayer())
      const a = yield* startRunner(sql, yield* freePort)
      const b = yield* startRunner(sql, yield* freePort)
      const ids = Array.from({ length: 64 }, (_, i) => `${run}-agent-${i}`)
      yield* eventually(Effect.sync(() => {
        const owners = ids.map((id) => ownerOf([a.sharding, b.sharding], id))
        return owners.includes(0) && owners.includes(1) && !owners.includes(-1)
      }), "30 seconds")
      const onB = ids.filter((id) => ownerOf([a.sharding, b.sharding], id) === 1)
      const counters = yield* Effect.provideContext(LoopbackCounter.client, a.context)
      yield* Effect.forEach(onB, (id, i) => counters(id).tell(Increment.make({ by: i + 1 })), { discard: true })
      const before = yield* Effect.forEach(onB, (id) => counters(id).ask(Get.make({})))
      assert.deepStrictEqual(before, onB.map((_, i) => i + 1))
      yield* Scope.close(b.scope, Exit.void)
      yield* eventually(Effect.sync(() => onB.every((id) => ownerOf([a.sharding], id) === 0)), "30 seconds")
      assert.deepStrictEqual(yield* Effect.forEach(onB, (id) => counters(id).ask(Get.make({}))), before)
    }), { timeout: 55_000 })
})
