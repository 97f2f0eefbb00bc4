import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { EventStore } from "../../src/events/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"
import { conformance } from "./conformance.ts"

conformance("sqlite", (retention) =>
  EventStore.layerSql(retention).pipe(Layer.provide(SqliteClient.layer({ filename: ":memory:" })))
)

const tempFile = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-events-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => join(dir, "events.db")))

describe("EventStore sqlite", () => {
  it.effect("events survive closing and reopening the database file", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const layer = EventStore.layerSql().pipe(Layer.provide(SqliteClient.layer({ filename })))
      const written = yield* Effect.gen(function* () {
        const store = yield* EventStore
        yield* store.append({ id: "a", type: "t", correlationId: "c", payload: { deep: { list: [1, 2] } } })
        return yield* store.append({ id: "b", type: "t", payload: "x" })
      }).pipe(Effect.provide(layer))
      yield* Effect.gen(function* () {
        const store = yield* EventStore
        const page = yield* store.query()
        assert.deepStrictEqual(
          page.events.map((e) => e.id),
          ["a", "b"]
        )
        assert.deepStrictEqual(page.events[1], written)
        assert.deepStrictEqual(yield* store.append({ id: "b", type: "t", payload: "x" }), written)
        assert.strictEqual((yield* Effect.flip(store.append({ id: "a", type: "t", payload: 1 })))._tag, "EventConflict")
        const c = yield* store.append({ id: "c", type: "t", payload: null })
        assert.isAbove(c.sequence, written.sequence)
      }).pipe(Effect.provide(layer))
    })
  )

  it.effect("a storage failure is a typed EventStoreFailure", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const sql = yield* SqlClient.SqlClient
      yield* sql`DROP TABLE mabeam_events`
      const error = yield* Effect.flip(store.append({ id: "a", type: "t", payload: 1 }))
      assert.deepInclude(error, { _tag: "EventStoreFailure", operation: "findById" })
    }).pipe(
      Effect.provide(EventStore.layerSql().pipe(Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" }))))
    )
  )
})
