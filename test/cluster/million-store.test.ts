/**
 * `AgentStateStore.saveMany`, the bulk import the 1M test seeds with: on SQLite (several batches
 * in one transaction) and in memory.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import { AgentStateStore } from "../../src/cluster/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"

const states = (from: number, to: number, tag: string) =>
  Array.from({ length: to - from }, (_, k): readonly [string, string] => [`a-${from + k}`, `${tag}-${from + k}`])

/** Yields `n` states, then throws: an import that breaks halfway. */
function* breaksAfter(n: number): Generator<readonly [string, string]> {
  for (let i = 0; i < n; i++) yield [`b-${i}`, `broken-${i}`]
  throw new Error("source broke")
}

const stores = {
  sql: AgentStateStore.layerSqlWith({ batchSize: 1000 }).pipe(
    Layer.provide(SqliteClient.layer({ filename: ":memory:" }))
  ),
  memory: AgentStateStore.layerMemory
}

for (const [name, layer] of Object.entries(stores)) {
  describe(`AgentStateStore.saveMany (${name})`, () => {
    it.effect("saves every state, over several batches, and replaces existing ones", () =>
      Effect.gen(function* () {
        const store = yield* AgentStateStore.AgentStateStore
        yield* store.save("k", "a-0", "old")
        assert.strictEqual(yield* store.saveMany("k", states(0, 2500, "v1")), 2500)
        assert.strictEqual(yield* store.count("k"), 2500)
        assert.deepStrictEqual(yield* store.load("k", "a-0"), Option.some("v1-0"))
        assert.deepStrictEqual(yield* store.load("k", "a-1999"), Option.some("v1-1999"))
        assert.deepStrictEqual(yield* store.load("k", "a-2499"), Option.some("v1-2499"))
        assert.strictEqual(yield* store.saveMany("k", states(2000, 3000, "v2")), 1000)
        assert.strictEqual(yield* store.count("k"), 3000)
        assert.deepStrictEqual(yield* store.load("k", "a-2000"), Option.some("v2-2000"))
        assert.deepStrictEqual(yield* store.load("k", "a-1999"), Option.some("v1-1999"))
        assert.strictEqual(yield* store.count("other"), 0)
        assert.strictEqual(yield* store.saveMany("k", []), 0)
      }).pipe(Effect.provide(layer))
    )

    it.effect("saves nothing when the source fails halfway", () =>
      Effect.gen(function* () {
        const store = yield* AgentStateStore.AgentStateStore
        const exit = yield* Effect.exit(store.saveMany("k", breaksAfter(1500)))
        assert.isTrue(Exit.isFailure(exit))
        assert.strictEqual(yield* store.count("k"), 0)
        assert.deepStrictEqual(yield* store.load("k", "b-0"), Option.none())
      }).pipe(Effect.provide(layer))
    )
  })
}
