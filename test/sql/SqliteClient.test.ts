import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Latch, Layer, Scope, Stream } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient } from "effect/sql"
import { SqliteClient } from "../../src/sql/index.ts"

const memory = SqliteClient.layer({ filename: ":memory:" })

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-sql-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const setup = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, admin INTEGER)`
  return sql
})

describe("SqliteClient", () => {
  it.effect("runs statements with parameters and returns rows", () =>
    Effect.gen(function* () {
      const sql = yield* setup
      yield* sql`INSERT INTO users ${sql.insert([
        { name: "ann", admin: true },
        { name: "bob", admin: false }
      ])}`
      const rows = yield* sql<{ id: number; name: string; admin: number }>`SELECT * FROM users WHERE name = ${"bob"}`
      assert.deepStrictEqual(
        rows.map((r) => ({ ...r })),
        [{ id: 2, name: "bob", admin: 0 }]
      )
      const values = yield* sql`SELECT name FROM users ORDER BY id`.values
      assert.deepStrictEqual(values, [["ann"], ["bob"]])
      assert.strictEqual(sql.driver, "sqlite-node")
    }).pipe(Effect.provide(memory))
  )

  it.effect("streams rows in order, across batches", () =>
    Effect.gen(function* () {
      const sql = yield* setup
      const names = Array.from({ length: 300 }, (_, i) => ({ name: `u${i}` }))
      yield* sql`INSERT INTO users ${sql.insert([{ name: "first" }, ...names])}`
      const streamed = yield* sql<{ name: string }>`SELECT name FROM users ORDER BY id`.stream.pipe(
        Stream.map((r) => r.name),
        Stream.runCollect
      )
      assert.deepStrictEqual(streamed, ["first", ...names.map((n) => n.name)])
    }).pipe(Effect.provide(memory))
  )

  it.effect("a committed transaction keeps its writes", () =>
    Effect.gen(function* () {
      const sql = yield* setup
      yield* sql.withTransaction(
        Effect.all([sql`INSERT INTO users (name) VALUES ('a')`, sql`INSERT INTO users (name) VALUES ('b')`])
      )
      const rows = yield* sql<{ n: number }>`SELECT count(*) AS n FROM users`
      assert.strictEqual(rows[0]?.n, 2)
    }).pipe(Effect.provide(memory))
  )

  it.effect("a failed transaction rolls back every write", () =>
    Effect.gen(function* () {
      const sql = yield* setup
      const exit = yield* Effect.exit(
        sql.withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO users (name) VALUES ('a')`
            return yield* Effect.fail("boom" as const)
          })
        )
      )
      assert.deepStrictEqual(exit, Exit.fail("boom"))
      const rows = yield* sql<{ n: number }>`SELECT count(*) AS n FROM users`
      assert.strictEqual(rows[0]?.n, 0)
    }).pipe(Effect.provide(memory))
  )

  it.effect("a failed nested transaction rolls back to its savepoint only", () =>
    Effect.gen(function* () {
      const sql = yield* setup
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`INSERT INTO users (name) VALUES ('outer')`
          yield* Effect.exit(sql.withTransaction(sql`INSERT INTO users (name) VALUES ('outer')`))
        })
      )
      const rows = yield* sql<{ name: string }>`SELECT name FROM users`
      assert.deepStrictEqual(
        rows.map((r) => r.name),
        ["outer"]
      )
    }).pipe(Effect.provide(memory))
  )

  it.effect("another fiber's statement waits until an open transaction ends", () =>
    Effect.gen(function* () {
      const sql = yield* setup
      const inside = yield* Latch.make()
      const release = yield* Latch.make()
      const tx = yield* Effect.forkChild(
        sql.withTransaction(
          Effect.gen(function* () {
            yield* sql`INSERT INTO users (name) VALUES ('a')`
            yield* inside.open
            yield* release.await
            return yield* Effect.fail("abort" as const)
          })
        )
      )
      yield* inside.await
      const reader = yield* Effect.forkChild(sql<{ n: number }>`SELECT count(*) AS n FROM users`)
      yield* Effect.yieldNow
      assert.isUndefined(reader.pollUnsafe())
      yield* release.open
      assert.isTrue(Exit.isFailure(yield* Fiber.await(tx)))
      const rows = yield* Fiber.join(reader)
      assert.strictEqual(rows[0]?.n, 0)
    }).pipe(Effect.provide(memory))
  )

  it.effect("a unique violation fails with a classified SqlError", () =>
    Effect.gen(function* () {
      const sql = yield* setup
      yield* sql`INSERT INTO users (name) VALUES ('a')`
      const error = yield* Effect.flip(sql`INSERT INTO users (name) VALUES ('a')`)
      assert.strictEqual(error._tag, "SqlError")
      assert.strictEqual(error.reason._tag, "UniqueViolation")
      const syntax = yield* Effect.flip(sql`SELEKT 1`)
      assert.strictEqual(syntax._tag, "SqlError")
    }).pipe(Effect.provide(memory))
  )

  it.effect("a file database keeps data across clients", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const file = SqliteClient.layer({ filename: join(dir, "db.sqlite") })
      yield* Effect.provide(
        Effect.gen(function* () {
          const sql = yield* setup
          yield* sql`INSERT INTO users (name) VALUES ('kept')`
        }),
        file
      )
      const rows = yield* Effect.provide(
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ name: string }>`SELECT name FROM users`),
        file
      )
      assert.deepStrictEqual(
        rows.map((r) => r.name),
        ["kept"]
      )
    })
  )

  it.effect("closing the scope closes the database", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const sql = yield* SqliteClient.make({ filename: ":memory:" }).pipe(
        Scope.provide(scope),
        Effect.provide(Reactivity.layer)
      )
      yield* sql`SELECT 1`
      yield* Scope.close(scope, Exit.void)
      const error = yield* Effect.flip(sql`SELECT 1`)
      assert.strictEqual(error._tag, "SqlError")
      assert.strictEqual(error.reason._tag, "ConnectionError")
      assert.match(error.message, /closed/)
    })
  )

  it.effect("a file that cannot be opened fails the layer with a ConnectionError", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(SqliteClient.layer({ filename: "/nonexistent/dir/db.sqlite" })))
      assert.strictEqual(error.reason._tag, "ConnectionError")
      assert.match(error.message, /nonexistent/)
    })
  )
})
