/**
 * The cluster on a real Postgres: two socket runners on 127.0.0.1 whose shard locks, runner table
 * and agent state live in Postgres (through `@effect/sql-pg`).
 *
 * Runs when `MABEAM_PG_URL` is set (`.ci/postgres.sh run -- npx vitest run test/cluster` starts a
 * throwaway server and sets it) and `@effect/sql-pg` is installed; otherwise it is skipped. Each
 * test works in a database of its own (`pg.ts`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { AgentStateStore, ClusterStorage } from "../../src/cluster/index.ts"
import { eventually, Get, Increment } from "./fixtures.ts"
import { freshDatabase, pgSkipReason } from "./pg.ts"
import { freePort, LoopbackCounter, ownerOf, startRunner } from "./runner-layer.ts"

const skipReason = await pgSkipReason("test/cluster/postgres.test.ts")

/** The SqlClient of a database of this test's own (see `pg.ts`). */
const pgLayer = Effect.flatMap(freshDatabase("mabeam_pg"), (url) => Layer.build(ClusterStorage.layer(url)))

// Ids unique to this run, so a reused database holds no state of theirs.
const run = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`

describe.skipIf(skipReason !== undefined)(
  `the cluster on Postgres${skipReason === undefined ? "" : ` (skipped: ${skipReason})`}`,
  () => {
    it.live("the agent state store round-trips through Postgres", () =>
      Effect.gen(function* () {
        const sql = yield* pgLayer
        const store = Context.get(
          yield* Layer.build(AgentStateStore.layerSql.pipe(Layer.provide(Layer.succeedContext(sql)))),
          AgentStateStore.AgentStateStore
        )
        yield* store.save("pg-kind", `${run}-x`, "1")
        yield* store.save("pg-kind", `${run}-x`, "2")
        const loaded = yield* store.load("pg-kind", `${run}-x`)
        assert.deepStrictEqual(loaded._tag === "Some" ? loaded.value : undefined, "2")
      })
    )

    it.live(
      "two runners share Postgres: cross-runner asks, and a stopped runner's agents move with their state",
      () =>
        Effect.gen(function* () {
          const sql = yield* pgLayer
          const a = yield* startRunner(sql, yield* freePort)
          const b = yield* startRunner(sql, yield* freePort)
          const ids = Array.from({ length: 64 }, (_, i) => `${run}-agent-${i}`)
          yield* eventually(
            Effect.sync(() => {
              const owners = ids.map((id) => ownerOf([a.sharding, b.sharding], id))
              return owners.includes(0) && owners.includes(1) && !owners.includes(-1)
            }),
            "30 seconds"
          )
          const onB = ids.filter((id) => ownerOf([a.sharding, b.sharding], id) === 1)
          const counters = yield* Effect.provideContext(LoopbackCounter.client, a.context)
          yield* Effect.forEach(onB, (id, i) => counters(id).tell(Increment.make({ by: i + 1 })), { discard: true })
          const before = yield* Effect.forEach(onB, (id) => counters(id).ask(Get.make({})))
          assert.deepStrictEqual(
            before,
            onB.map((_, i) => i + 1)
          )
          yield* Scope.close(b.scope, Exit.void)
          yield* eventually(
            Effect.sync(() => onB.every((id) => ownerOf([a.sharding], id) === 0)),
            "30 seconds"
          )
          assert.deepStrictEqual(yield* Effect.forEach(onB, (id) => counters(id).ask(Get.make({}))), before)
        }),
      { timeout: 55_000 }
    )
  }
)
