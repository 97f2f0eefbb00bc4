/** The behaviour every event-store backend must have; each backend's test file runs it. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, type Layer, Schema, type Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { EventStore, type Retention } from "../../src/events/index.ts"

/** Makes a fresh, empty store per test. */
export type MakeStore = (retention?: Retention) => Layer.Layer<EventStore, unknown>

const ev = (id: string, type = "agent.started", payload: Schema.Json = { n: 1 }, correlationId?: string) =>
  correlationId === undefined ? { id, type, payload } : { id, type, payload, correlationId }

export const conformance = (name: string, make: MakeStore) =>
  describe(`EventStore conformance: ${name}`, () => {
    const run = <A, E>(effect: Effect.Effect<A, E, EventStore | Scope.Scope>, retention?: Retention) =>
      Effect.provide(effect, make(retention))

    it.effect("append stamps Clock time and increasing sequence numbers", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* TestClock.adjust("5 seconds")
          const a = yield* store.append(ev("a", "t", { x: [1, "two", null, true] }, "c1"))
          const b = yield* store.append(ev("b"))
          assert.deepStrictEqual(a, {
            sequence: a.sequence,
            id: "a",
            type: "t",
            time: 5_000,
            correlationId: "c1",
            payload: { x: [1, "two", null, true] }
          })
          assert.isAbove(b.sequence, a.sequence)
          assert.isUndefined(b.correlationId)
          assert.strictEqual(yield* store.count, 2)
        })
      )
    )

    it.effect("a duplicate identical id is a no-op returning the stored event", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const first = yield* store.append(ev("a", "t", { b: 2, a: 1 }))
          yield* TestClock.adjust("1 second")
          const again = yield* store.append(ev("a", "t", { a: 1, b: 2 }))
          assert.deepStrictEqual(again, first)
          assert.strictEqual(yield* store.count, 1)
        })
      )
    )

    it.effect("a duplicate id with different content fails with EventConflict and keeps the original", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const first = yield* store.append(ev("a", "t", { n: 1 }))
          for (const attempt of [ev("a", "t", { n: 2 }), ev("a", "u", { n: 1 }), ev("a", "t", { n: 1 }, "c")]) {
            const error = yield* Effect.flip(store.append(attempt))
            assert.strictEqual(error._tag, "EventConflict")
            assert.include(error.message, '"a"')
          }
          assert.deepStrictEqual((yield* store.query()).events, [first])
        })
      )
    )

    it.effect("bad input fails with InvalidInput and stores nothing", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          const bad: ReadonlyArray<unknown> = [
            {},
            ev(""),
            ev("a", ""),
            { id: "a", type: "t" },
            { ...ev("a"), payload: () => 1 },
            { ...ev("a"), correlationId: 5 }
          ]
          for (const input of bad) {
            const error = yield* Effect.flip(store.append(input as never))
            assert.deepInclude(error, { _tag: "InvalidInput", where: "EventStore.append" })
          }
          for (const query of [{ limit: 0 }, { limit: 1_001 }, { after: -1 }, { from: 1.5 }, { type: "" }]) {
            const error = yield* Effect.flip(store.query(query))
            assert.deepInclude(error, { _tag: "InvalidInput", where: "EventStore.query" })
          }
          assert.strictEqual(yield* store.count, 0)
        })
      )
    )

    it.effect("query filters by type, correlation and time range", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(ev("1", "start", 1, "r1"))
          yield* TestClock.adjust("10 millis")
          yield* store.append(ev("2", "stop", 2, "r1"))
          yield* TestClock.adjust("10 millis")
          yield* store.append(ev("3", "start", 3, "r2"))
          const ids = (q: object) => store.query(q).pipe(Effect.map((p) => p.events.map((e) => e.id)))
          assert.deepStrictEqual(yield* ids({ type: "start" }), ["1", "3"])
          assert.deepStrictEqual(yield* ids({ correlationId: "r1" }), ["1", "2"])
          assert.deepStrictEqual(yield* ids({ from: 10, to: 20 }), ["2"])
          assert.deepStrictEqual(yield* ids({ type: "start", correlationId: "r2", from: 0 }), ["3"])
          assert.deepStrictEqual(yield* ids({ type: "none" }), [])
        })
      )
    )

    it.effect("pagination returns every match exactly once, in order", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          for (let i = 0; i < 25; i++) yield* store.append(ev(`e${i}`, i % 2 === 0 ? "even" : "odd", i))
          const seen: Array<string> = []
          let after: number | undefined
          let pages = 0
          do {
            const page = yield* store.query(
              after === undefined ? { type: "even", limit: 5 } : { type: "even", limit: 5, after }
            )
            seen.push(...page.events.map((e) => e.id))
            after = page.next
            pages++
          } while (after !== undefined)
          assert.deepStrictEqual(
            seen,
            Array.from({ length: 13 }, (_, i) => `e${i * 2}`)
          )
          assert.isAtMost(pages, 4)
        })
      )
    )

    it.effect("subscribers receive events appended after they subscribed, in order", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(ev("before"))
          const stream = yield* store.subscribe
          const fiber = yield* stream.pipe(
            Stream.map((e) => e.id),
            Stream.take(2),
            Stream.runCollect,
            Effect.forkChild
          )
          yield* store.append(ev("x"))
          yield* store.append(ev("x"))
          yield* store.append(ev("y"))
          assert.deepStrictEqual(yield* Fiber.join(fiber), ["x", "y"])
        })
      )
    )

    it.effect("retention by count keeps the newest maxCount events", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          for (let i = 0; i < 5; i++) yield* store.append(ev(`e${i}`))
          assert.strictEqual(yield* store.count, 3)
          assert.deepStrictEqual(
            (yield* store.query()).events.map((e) => e.id),
            ["e2", "e3", "e4"]
          )
        }),
        { maxCount: 3, maxAgeMillis: 0 }
      )
    )

    it.effect("retention by age hides and drops events older than maxAge on the clock", () =>
      run(
        Effect.gen(function* () {
          const store = yield* EventStore
          yield* store.append(ev("old"))
          yield* TestClock.adjust("30 seconds")
          yield* store.append(ev("mid"))
          yield* TestClock.adjust("31 seconds")
          assert.deepStrictEqual(
            (yield* store.query()).events.map((e) => e.id),
            ["mid"]
          )
          yield* store.append(ev("new"))
          assert.strictEqual(yield* store.count, 2)
        }),
        { maxCount: 100, maxAgeMillis: 60_000 }
      )
    )
  })
