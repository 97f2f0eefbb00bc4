/**
 * Attacks on registry names (issue 29): in secure mode a non-owner cannot unregister or replace an
 * entry (and so cannot take its name), and a second process opening the same SQLite registry
 * cannot delete the first one's live entries.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { TestClock } from "effect/testing"
import { SqlClient } from "effect/sql"
import { Registry, SqlBackend } from "../../src/registry/index.ts"
import { AuditLog, SecureMode, secureLayer, Tokens, Unauthorized } from "../../src/security/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"

const Secure = secureLayer({
  authorization: { grants: { root: ["registry:*"], ops: ["registry:write:default"] } }
}).pipe(Layer.orDie)
const SecureRegistry = Registry.layer.pipe(Layer.provideMerge(Secure))

const as = (agent: string) =>
  Effect.gen(function* () {
    const token = yield* Effect.orDie((yield* Tokens).issue(agent))
    return (yield* SecureMode).actAs(token)
  })

describe("registry in secure mode", () => {
  it.effect("a non-owner cannot unregister or replace an entry, so cannot take its name", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const registry = yield* Registry
        const alice = yield* as("alice")
        const mallory = yield* as("mallory")
        const entry = yield* alice(registry.register("planner", { node: "a", id: "alice-1" }, { role: "plan" }))
        const attempts: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
          mallory(registry.unregister("planner")),
          mallory(registry.update("planner", { role: "evil" })),
          registry.unregister("planner"),
          (yield* SecureMode).actAs("v1.0.e30.forged")(registry.unregister("planner"))
        ]
        for (const attempt of attempts) assert.instanceOf(yield* Effect.flip(attempt), Unauthorized)
        assert.strictEqual(
          (yield* Effect.flip(mallory(registry.register("planner", { node: "m", id: "mallory" }))))._tag,
          "AlreadyRegistered"
        )
        assert.deepStrictEqual(yield* registry.lookup("planner"), Option.some(entry))
        const denials = (yield* (yield* AuditLog).records).filter((r) => r.type === "security.unauthorized")
        assert.strictEqual(denials.length, 4)
        assert.deepStrictEqual(denials[0]?.detail, {
          capability: "registry:admin:default",
          detail: `unregister "planner" owned by alice`
        })
      })
    ).pipe(Effect.provide(SecureRegistry))
  )

  it.effect("the owner updates and unregisters its entry; an admin may remove anyone's", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const registry = yield* Registry
        const alice = yield* as("alice")
        const root = yield* as("root")
        yield* alice(registry.register("a", 1))
        const updated = yield* alice(registry.update("a", { v: 2 }))
        assert.deepStrictEqual(updated.metadata, { v: 2 })
        assert.isTrue(yield* alice(registry.unregister("a")))
        yield* alice(registry.register("b", 1))
        assert.isTrue(yield* root(registry.unregister("b")))
        assert.strictEqual(yield* registry.count, 0)
      })
    ).pipe(Effect.provide(SecureRegistry))
  )

  it.effect("an anonymous entry can be removed only by an admin or by its scope closing", () =>
    Effect.gen(function* () {
      const registry = yield* Registry
      const scope = yield* Scope.make()
      yield* Scope.provide(registry.register("anon", 1), scope)
      assert.instanceOf(yield* Effect.flip(registry.unregister("anon")), Unauthorized)
      assert.instanceOf(yield* Effect.flip((yield* as("mallory"))(registry.unregister("anon"))), Unauthorized)
      yield* Scope.close(scope, Exit.void)
      assert.isTrue(Option.isNone(yield* registry.lookup("anon")))
    }).pipe(Effect.provide(SecureRegistry))
  )

  it.effect("a durable entry needs registry:write", () =>
    Effect.gen(function* () {
      const registry = yield* Registry
      assert.instanceOf(yield* Effect.flip((yield* as("mallory"))(registry.registerDurable("config", 1))), Unauthorized)
      assert.strictEqual(yield* registry.count, 0)
      yield* (yield* as("ops"))(registry.registerDurable("config", 1))
      assert.strictEqual(yield* registry.count, 1)
    }).pipe(Effect.provide(SecureRegistry))
  )
})

const tempFile = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-registry-lease-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
).pipe(Effect.map((dir) => join(dir, "registry.sqlite")))

const onFile = (filename: string) =>
  Registry.layerWith({ backend: SqlBackend.layer }).pipe(Layer.provideMerge(SqliteClient.layer({ filename })))

describe("two registries on one SQLite database", () => {
  it.effect("the second refuses to start and the first's live entries survive; once the first closes, it starts", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      const first = yield* Scope.make()
      const one = Context.get(yield* Layer.buildWithScope(onFile(filename), first), Registry)
      yield* Scope.provide(one.register("agent-1", 1), first)
      const refused = yield* Effect.flip(Effect.scoped(Layer.build(onFile(filename))))
      assert.strictEqual(refused._tag, "BackendUnavailable")
      assert.include(refused.message, "refusing to start")
      assert.deepStrictEqual(yield* one.keys, ["agent-1"])
      yield* Scope.close(first, Exit.void)
      yield* Effect.scoped(
        Effect.gen(function* () {
          const second = Context.get(yield* Layer.build(onFile(filename)), Registry)
          assert.deepStrictEqual(yield* second.keys, [])
        })
      )
    })
  )

  it.effect("a holder that died without closing is taken over once its lease has run out", () =>
    Effect.gen(function* () {
      const filename = yield* tempFile
      // A crashed process: its lease row and an owned entry stay behind.
      yield* Effect.scoped(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const registry = yield* Registry
          yield* registry.registerDurable("config", 1)
          yield* registry.registerDurable("orphan", 2)
          // An owned entry whose scope never closed looks like this in the table.
          yield* sql`UPDATE mabeam_registry_entries SET durable = 0 WHERE key = 'orphan'`
        }).pipe(Effect.provide(onFile(filename)))
      )
      yield* Effect.scoped(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* sql`DELETE FROM mabeam_registry_holder`
          yield* sql`INSERT INTO mabeam_registry_holder (name, instance, expires) VALUES ('registry', 'crashed', 30000)`
        }).pipe(Effect.provide(SqliteClient.layer({ filename })))
      )
      const early = yield* Effect.flip(Effect.scoped(Layer.build(onFile(filename))))
      assert.strictEqual(early._tag, "BackendUnavailable")
      yield* TestClock.adjust("30 seconds")
      yield* Effect.scoped(
        Effect.gen(function* () {
          const registry = Context.get(yield* Layer.build(onFile(filename)), Registry)
          assert.deepStrictEqual(yield* registry.keys, ["config"])
        })
      )
    })
  )
})
