import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { Hierarchy } from "../../src/coordination/index.ts"

type T = ReadonlyArray<number>
const sum = (xs: T) => Effect.succeed(xs.reduce((a, b) => a + b, 0))
const halves = (xs: T, n: number): ReadonlyArray<T> =>
  Array.from({ length: n }, (_, i) => xs.filter((_, j) => j % n === i))
const total = (rs: ReadonlyArray<number>) => rs.reduce((a, b) => a + b, 0)
const team = (
  name: string,
  workers: ReadonlyArray<Hierarchy.Team<T, number>>,
  spares: ReadonlyArray<Hierarchy.Team<T, number>> = []
) => Hierarchy.coordinator(name, workers, { split: halves, combine: total, spares })
const ok = (name: string) => Hierarchy.worker(name, sum)
const failing = (name: string) => Hierarchy.worker<T, number>(name, () => Effect.fail(new Error("out of memory")))
const numbers = [1, 2, 3, 4, 5, 6, 7, 8]

describe("Hierarchical coordination", () => {
  it.effect("a coordinator of coordinators delegates parts and rolls the results up", () =>
    Effect.gen(function* () {
      const tree = team("lead", [team("east", [ok("e1"), ok("e2")]), team("west", [ok("w1"), ok("w2")])])
      const report = yield* Hierarchy.delegate(tree, numbers, { timeout: 100 })
      assert.deepStrictEqual(report, { result: 36, replaced: [] })
    })
  )

  it.effect("a failed worker is replaced by its coordinator's spare, which gets the same part", () =>
    Effect.gen(function* () {
      const tree = team("lead", [
        team("east", [ok("e1"), failing("e2")], [ok("e3")]),
        team("west", [ok("w1"), ok("w2")])
      ])
      const report = yield* Hierarchy.delegate(tree, numbers, { timeout: 100 })
      assert.strictEqual(report.result, 36)
      assert.deepStrictEqual(report.replaced, [
        { failed: "/lead/east/e2", by: "/lead/east/e3", reason: "out of memory" }
      ])
    })
  )

  it.effect("a failed sub-coordinator is replaced as a whole by a spare team; a slow worker counts as failed", () =>
    Effect.gen(function* () {
      const slow = Hierarchy.worker<T, number>("slow", () => Effect.never)
      const tree = team(
        "lead",
        [team("east", [ok("e1"), slow]), team("west", [ok("w1"), ok("w2")])],
        [team("backup", [ok("b1"), ok("b2")])]
      )
      const fiber = yield* Effect.forkChild(Hierarchy.delegate(tree, numbers, { timeout: 100 }))
      yield* TestClock.adjust(100)
      const report = yield* Fiber.join(fiber)
      assert.strictEqual(report.result, 36)
      assert.deepStrictEqual(report.replaced, [
        { failed: "/lead/east", by: "/lead/backup", reason: "no result within 100 ms" }
      ])
    })
  )

  it.effect("with no spare left the failure rolls up as DelegationFailed naming the path", () =>
    Effect.gen(function* () {
      const tree = team("lead", [team("east", [ok("e1"), failing("e2")]), ok("w")], [failing("spare")])
      const error = yield* Effect.flip(Hierarchy.delegate(tree, numbers, { timeout: 100 }))
      assert.strictEqual(error.message, "delegation failed at /lead/spare: out of memory")
      const bad = yield* Effect.flip(Hierarchy.delegate(tree, numbers, { timeout: -1 }))
      assert.strictEqual(bad._tag, "InvalidInput")
    })
  )
})
