import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SqlClient } from "effect/sql"
import { AgentStateStore } from "../../src/cluster/index.ts"
import * as Group from "../../src/cluster/internal/group.ts"
import { SqliteClient } from "../../src/sql/index.ts"

describe("group execution (group commit)", () => {
  it.effect("concurrent submits share batches, each gets its own result, batches stay within maxBatch", () =>
    Effect.gen(function* () {
      const batches: Array<ReadonlyArray<number>> = []
      const group = Group.make(
        (items: ReadonlyArray<number>) =>
          Effect.sync(() => {
            batches.push(items)
            return items.map((n) => n * 2)
          }).pipe(Effect.tap(() => Effect.yieldNow)),
        16
      )
      const results = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        group.submit,
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(
        results,
        Array.from({ length: 100 }, (_, i) => i * 2)
      )
      assert.isTrue(batches.length < 100, `${batches.length} batches for 100 items`)
      assert.isTrue(batches.every((batch) => batch.length >= 1 && batch.length <= 16))
      assert.deepStrictEqual(
        batches.flat().sort((a, b) => a - b),
        Array.from({ length: 100 }, (_, i) => i)
      )
    })
  )

  it.effect("with a synchronous batch (as node:sqlite runs), callers scheduled together still share one", () =>
    Effect.gen(function* () {
      const sizes: Array<number> = []
      const group = Group.make(
        (items: ReadonlyArray<number>) =>
          Effect.sync(() => {
            sizes.push(items.length)
            return items
          }),
        1000
      )
      yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        group.submit,
        { concurrency: "unbounded", discard: true }
      )
      assert.isTrue(sizes.length <= 3, `batches of ${sizes.join(", ")}`)
    })
  )

  it.effect("a failed batch fails every item of it, and the next batch runs", () =>
    Effect.gen(function* () {
      let calls = 0
      const group = Group.make(
        (items: ReadonlyArray<string>) =>
          Effect.suspend(() => (++calls === 1 ? Effect.fail(`lost ${items.length}`) : Effect.succeed(items))),
        8
      )
      const first = yield* Effect.flip(group.submit("a"))
      assert.strictEqual(first, "lost 1")
      assert.strictEqual(yield* group.submit("b"), "b")
    })
  )
})

describe("the SQL state store, grouped", () => {
  const withStore = <A, E>(self: Effect.Effect<A, E, AgentStateStore.AgentStateStore | SqlClient.SqlClient>) =>
    self.pipe(
      Effect.provide(AgentStateStore.layerSqlWith({ batchSize: 7 })),
      Effect.provide(SqliteClient.layer({ filename: ":memory:" }))
    )

  it.effect(
    "concurrent saves of many agents (and twice of one) are all durable, the later save of one agent wins",
    () =>
      Effect.gen(function* () {
        const store = yield* AgentStateStore.AgentStateStore
        const ids = Array.from({ length: 50 }, (_, i) => `a${i}`)
        yield* Effect.forEach(ids, (id) => store.save("k", id, `"${id}"`), { concurrency: "unbounded", discard: true })
        yield* Effect.all([store.save("k", "a1", `"first"`), store.save("k", "a1", `"second"`)], {
          concurrency: "unbounded"
        })
        assert.strictEqual(yield* store.count("k"), 50)
        const loaded = yield* Effect.forEach([...ids, "missing"], (id) => store.load("k", id), {
          concurrency: "unbounded"
        })
        assert.deepStrictEqual(loaded.map(Option.getOrUndefined), [
          ...ids.map((id) => (id === "a1" ? `"second"` : `"${id}"`)),
          undefined
        ])
        assert.deepStrictEqual(Option.getOrUndefined(yield* store.load("other", "a2")), undefined)
      }).pipe(withStore)
  )

  it.effect("a group that cannot be written fails each of its saves with StateStoreError", () =>
    Effect.gen(function* () {
      const store = yield* AgentStateStore.AgentStateStore
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP TABLE mabeam_agent_state`
      const errors = yield* Effect.forEach(["x", "y", "z"], (id) => Effect.flip(store.save("k", id, "1")), {
        concurrency: "unbounded"
      })
      assert.deepStrictEqual(
        errors.map((error) => error._tag),
        ["StateStoreError", "StateStoreError", "StateStoreError"]
      )
      assert.match(errors[0]!.message, /^agent state store: save/)
    }).pipe(withStore)
  )
})
