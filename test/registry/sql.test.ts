import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { SqlClient } from "effect/sql"
import { Registry, RegistryBackend, SqlBackend } from "../../src/registry/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"
import { runConformance } from "./conformance.ts"

runConformance(
  "sql (SQLite, :memory:)",
  SqlBackend.layer.pipe(Layer.provide(SqliteClient.layer({ filename: ":memory:" })))
)

const tempFile = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-registry-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => join(dir, "registry.sqlite")))

const onFile = (filename: string) => SqlBackend.layer.pipe(Layer.provideMerge(SqliteClient.layer({ filename })))

describe("SqlBackend", () => {
  it.effect("durable entries survive a restart; owned entries of a dead process do not", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      yield* Effect.gen(function* () {
        const registry = yield* Registry.make()
        yield* registry.registerDurable("config", { url: "db" }, { kind: "config" })
        // What a crashed process leaves behind: an owned entry whose scope never closed.
        const backend = yield* RegistryBackend
        yield* backend.register("default", { key: "agent-1", value: 1, metadata: { node: "a" }, durable: false })
        assert.strictEqual(yield* registry.count, 2)
      }).pipe(Effect.provide(onFile(filename)))

      yield* Effect.gen(function* () {
        const registry = yield* Registry.make()
        assert.deepStrictEqual(yield* registry.keys, ["config"])
        const config = Option.getOrThrow(yield* registry.lookup("config"))
        assert.deepStrictEqual(config.value, { url: "db" })
        assert.deepStrictEqual(yield* registry.select({ kind: "config" }), [config])
        assert.deepStrictEqual(yield* registry.select({ node: "a" }), [])
        const next = yield* registry.register("agent-1", 2)
        assert.isTrue(next.id > config.id)
      }).pipe(Effect.provide(onFile(filename)))
    })
  )

  it.effect("a database failure surfaces as BackendUnavailable", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(onFile(":memory:"), scope)
      const registry = yield* Effect.provide(Registry.make(), context)
      yield* Scope.close(scope, Exit.void)
      const lookup = yield* Effect.flip(registry.lookup("k"))
      assert.strictEqual(lookup._tag, "BackendUnavailable")
      assert.match(lookup.message, /^registry backend "sql" is unavailable during lookup: /)
      const register = yield* Effect.flip(registry.registerDurable("k", 1))
      assert.strictEqual(register._tag, "BackendUnavailable")
    })
  )

  it.effect("a corrupt row surfaces as BackendUnavailable", () =>
    Effect.gen(function* () {
      const registry = yield* Registry.make()
      const sql = yield* SqlClient.SqlClient
      yield* registry.registerDurable("k", 1)
      yield* sql`UPDATE mabeam_registry_entries SET metadata = '{"x": {}}'`
      const error = yield* Effect.flip(registry.lookup("k"))
      assert.strictEqual(error._tag, "BackendUnavailable")
      yield* sql`UPDATE mabeam_registry_entries SET value = 'not json'`
      assert.match((yield* Effect.flip(registry.select({}))).message, /corrupt row for key "k"/)
    }).pipe(Effect.provide(onFile(":memory:")))
  )

  it.effect("two table prefixes in one database are independent registries", () =>
    Effect.gen(function* () {
      const sqlite = yield* Layer.build(SqliteClient.layer({ filename: ":memory:" }))
      const a = Context.get(
        yield* Layer.build(
          SqlBackend.layerWith({ tablePrefix: "reg_a" }).pipe(Layer.provide(Layer.succeedContext(sqlite)))
        ),
        RegistryBackend
      )
      const b = Context.get(
        yield* Layer.build(
          SqlBackend.layerWith({ tablePrefix: "reg_b" }).pipe(Layer.provide(Layer.succeedContext(sqlite)))
        ),
        RegistryBackend
      )
      yield* a.register("ns", { key: "k", value: 1, metadata: {}, durable: true })
      assert.strictEqual(yield* a.count("ns"), 1)
      assert.strictEqual(yield* b.count("ns"), 0)
    })
  )

  it.effect("an invalid table prefix is a defect", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Layer.build(
          SqlBackend.layerWith({ tablePrefix: "x; DROP TABLE y" }).pipe(
            Layer.provide(SqliteClient.layer({ filename: ":memory:" }))
          )
        )
      )
      assert.isTrue(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Die"))
    })
  )
})
