import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Option, Schema, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Coordination, Fencing } from "../../src/coordination/index.ts"
import { SqliteClient } from "../../src/sql/index.ts"
import { Transport } from "../../src/transport/index.ts"

type Store = Fencing.FencedStore<string, unknown>

// Runs `body` with a fresh store of each kind; the SQL store lives on an in-memory SQLite database
// that stays open for the whole body.
const kinds: ReadonlyArray<{
  readonly name: string
  readonly withStore: <A, E>(body: (store: Store) => Effect.Effect<A, E>) => Effect.Effect<A, unknown>
}> = [
  { name: "in memory", withStore: (body) => body(Fencing.makeFencedStore<string>()) },
  {
    name: "over SQL",
    withStore: (body) =>
      Effect.flatMap(Fencing.makeSqlFencedStore<string>(), body).pipe(
        Effect.provide(SqliteClient.layer({ filename: ":memory:" }))
      )
  }
]

const staleOf = (exit: Exit.Exit<void, unknown>) => {
  assert.isTrue(Exit.isFailure(exit), "the write should have been refused")
  const error = Exit.isFailure(exit) ? Option.getOrUndefined(Exit.findErrorOption(exit)) : undefined
  assert.instanceOf(error, Fencing.StaleToken)
  return error as Fencing.StaleToken
}

const live = Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))

const drive = <A, E, R>(body: Effect.Effect<A, E, R>, step = 10, limit = 20_000) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(body)
    for (let t = 0; t < limit && fiber.pollUnsafe() === undefined; t += step) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

for (const kind of kinds) {
  describe(`FencedStore ${kind.name}`, () => {
    it.effect("refuses a token lower than the highest seen for the key, and keeps the newer value", () =>
      kind.withStore((store) =>
        Effect.gen(function* () {
          yield* store.write("k", 5, "five")
          const refused = staleOf(yield* Effect.exit(store.write("k", 4, "four")))
          assert.deepStrictEqual([refused.resource, refused.token, refused.highest], ["k", 4, 5])
          assert.deepStrictEqual(yield* store.read("k"), Option.some("five"))
          assert.strictEqual(yield* store.token("k"), 5)
        })
      )
    )

    it.effect("accepts an equal or higher token and reads the last accepted value", () =>
      kind.withStore((store) =>
        Effect.gen(function* () {
          assert.deepStrictEqual(yield* store.read("k"), Option.none())
          assert.strictEqual(yield* store.token("k"), 0)
          yield* store.write("k", 0, "zero")
          yield* store.write("k", 3, "a")
          yield* store.write("k", 3, "b")
          assert.deepStrictEqual(yield* store.read("k"), Option.some("b"))
          yield* store.write("k", 9, "c")
          assert.deepStrictEqual(yield* store.read("k"), Option.some("c"))
          assert.strictEqual(yield* store.token("k"), 9)
        })
      )
    )

    it.effect("fences each key on its own", () =>
      kind.withStore((store) =>
        Effect.gen(function* () {
          yield* store.write("a", 7, "a7")
          yield* store.write("b", 1, "b1")
          assert.strictEqual(staleOf(yield* Effect.exit(store.write("a", 1, "a1"))).highest, 7)
          assert.deepStrictEqual(yield* store.read("b"), Option.some("b1"))
          assert.deepStrictEqual([yield* store.token("a"), yield* store.token("b")], [7, 1])
        })
      )
    )

    it.effect("refuses a bad token with InvalidInput and changes nothing", () =>
      kind.withStore((store) =>
        Effect.gen(function* () {
          yield* store.write("k", 2, "two")
          for (const token of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
            const error = yield* Effect.flip(store.write("k", token, "bad"))
            assert.strictEqual((error as { _tag: string })._tag, "InvalidInput", `token ${token}`)
          }
          assert.deepStrictEqual(yield* store.read("k"), Option.some("two"))
          assert.strictEqual(yield* store.token("k"), 2)
        })
      )
    )

    it.effect("two leases writing concurrently: once the newer holder wrote, the older one never writes again", () =>
      kind.withStore((store) =>
        Effect.gen(function* () {
          // Each holder writes in order, yielding between writes so the two interleave; the newer one
          // starts `offset` yields late, which shifts where its writes fall between the older one's. A
          // write that passed its check before the newer holder wrote and landed after would lower the
          // key's token and let every later stale write in.
          const writes = (key: string, token: number, count: number, offset: number) =>
            Effect.andThen(
              Effect.repeat(Effect.yieldNow, { times: offset }),
              Effect.forEach(
                Array.from({ length: count }, (_, i) => i),
                (i) =>
                  Effect.andThen(
                    Effect.yieldNow,
                    Effect.exit(store.write(key, token, `t${token}-${i}`)).pipe(Effect.map(Exit.isSuccess))
                  )
              )
            )
          for (let offset = 0; offset < 8; offset++) {
            const key = `k${offset}`
            const [old, next] = yield* Effect.all([writes(key, 1, 20, 0), writes(key, 2, 5, offset)], {
              concurrency: 2
            })
            assert.isTrue(
              next.every((ok) => ok),
              "the newer token is never refused"
            )
            const refused = old.indexOf(false)
            assert.isAbove(refused, -1, "the older holder is refused once the newer one wrote")
            assert.isTrue(
              old.slice(refused).every((ok) => !ok),
              `offset ${offset}: once refused, the older holder is never accepted again: ${old.join()}`
            )
            assert.strictEqual(yield* store.token(key), 2)
            assert.deepStrictEqual(yield* store.read(key), Option.some("t2-4"))
          }
          // And after the fact, the older holder is refused.
          assert.strictEqual(staleOf(yield* Effect.exit(store.write("k0", 1, "late"))).highest, 2)
        })
      )
    )

    it.effect("a released holder's lease.write is refused once the next holder wrote", () =>
      kind
        .withStore((store) =>
          Effect.gen(function* () {
            const c = yield* Coordination
            const scopeA = yield* Scope.make()
            const a = yield* Scope.provide(c.lock("db", { ttl: 60_000 }), scopeA)
            yield* a.write(store, "k", "a1")
            yield* Scope.close(scopeA, Exit.void)
            const b = yield* drive(c.lock("db", { ttl: 60_000 }))
            yield* b.write(store, "k", "b1")
            yield* a.check // a's clock still says the lease is valid
            const refused = staleOf(yield* Effect.exit(a.write(store, "k", "a2")))
            assert.deepStrictEqual([refused.token, refused.highest], [a.token, b.token])
            assert.deepStrictEqual(yield* store.read("k"), Option.some("b1"))
          }).pipe(Effect.scoped, Effect.provide(live))
        )
        .pipe(Effect.orDie)
    )

    it.effect.prop(
      "behaves as the model: a write is accepted iff its token is at least the key's highest",
      {
        writes: Schema.Array(
          Schema.Struct({
            key: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 2 })),
            token: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 8 }))
          })
        ).check(Schema.isMaxLength(30))
      },
      ({ writes }) =>
        kind.withStore((store) =>
          Effect.gen(function* () {
            const highest = new Map<string, number>()
            const values = new Map<string, string>()
            for (const [i, w] of writes.entries()) {
              const key = `k${w.key}`
              const value = `v${i}`
              const exit = yield* Effect.exit(store.write(key, w.token, value))
              const before = highest.get(key)
              if (before === undefined || w.token >= before) {
                assert.isTrue(Exit.isSuccess(exit), `${key} token ${w.token} after ${before}`)
                highest.set(key, w.token)
                values.set(key, value)
              } else {
                assert.strictEqual(staleOf(exit).highest, before)
              }
              assert.strictEqual(yield* store.token(key), highest.get(key) ?? 0)
              assert.deepStrictEqual(yield* store.read(key), Option.fromUndefinedOr(values.get(key)))
            }
          })
        )
    )
  })
}

describe("FencedStore over SQL, durable", () => {
  const tempDir = Effect.acquireRelease(
    Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-fenced-"))),
    (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
  )

  it.effect("a restart keeps the highest token: a stale write is still refused after reopening", () =>
    Effect.gen(function* () {
      const file = join(yield* tempDir, "fenced.db")
      const open = <A, E>(body: (store: Fencing.FencedStore<{ n: number }, unknown>) => Effect.Effect<A, E>) =>
        Effect.flatMap(Fencing.makeSqlFencedStore<{ n: number }>({ table: "locks_fenced" }), body).pipe(
          Effect.provide(SqliteClient.layer({ filename: file }))
        )
      yield* open((store) => Effect.andThen(store.write("k", 4, { n: 1 }), store.write("k", 6, { n: 2 })))
      yield* open((store) =>
        Effect.gen(function* () {
          assert.strictEqual(yield* store.token("k"), 6)
          assert.deepStrictEqual(yield* store.read("k"), Option.some({ n: 2 }))
          assert.strictEqual(staleOf(yield* Effect.exit(store.write("k", 5, { n: 3 }))).highest, 6)
          yield* store.write("k", 6, { n: 4 })
        })
      )
      yield* open((store) => Effect.map(store.read("k"), (v) => assert.deepStrictEqual(v, Option.some({ n: 4 }))))
    })
  )

  it.effect("refuses a value with no JSON form and a bad table name with InvalidInput", () =>
    Effect.gen(function* () {
      const store = yield* Fencing.makeSqlFencedStore<unknown>()
      yield* store.write("k", 1, "one")
      const error = yield* Effect.flip(store.write("k", 2, () => 1))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.deepStrictEqual([yield* store.token("k"), yield* store.read("k")], [1, Option.some("one")])
      const bad = yield* Effect.flip(Fencing.makeSqlFencedStore({ table: "x; DROP TABLE y" }))
      assert.strictEqual(bad._tag, "InvalidInput")
    }).pipe(Effect.provide(SqliteClient.layer({ filename: ":memory:" })))
  )
})
