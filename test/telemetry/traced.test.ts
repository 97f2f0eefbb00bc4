/** `traced`: the one-line wrap that puts a service's public operations into traces. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Tracer } from "effect"
import { traced } from "../../src/telemetry/index.ts"

interface Ledger {
  readonly transfer: (from: string, to: string, amount: number) => Effect.Effect<number, string>
  readonly balance: Effect.Effect<number>
  readonly name: string
  readonly sync: (n: number) => number
}

const make = (): Ledger => {
  let total = 100
  return {
    transfer: (_from, _to, amount) =>
      amount > total ? Effect.fail("insufficient") : Effect.sync(() => (total -= amount)),
    balance: Effect.sync(() => total),
    name: "main",
    sync: (n) => n * 2
  }
}

describe("traced", () => {
  it.effect("wraps the named Effect operations in spans and leaves everything else as it was", () => {
    const spans: Array<Tracer.NativeSpan> = []
    const tracer = Tracer.make({
      span: (options) => {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      }
    })
    return Effect.gen(function* () {
      const ledger = traced<Ledger>("ledger", ["transfer", "balance", "name", "sync"])(make())
      assert.strictEqual(yield* ledger.transfer("a", "b", 30), 70)
      assert.strictEqual(yield* Effect.flip(ledger.transfer("a", "b", 500)), "insufficient")
      assert.strictEqual(yield* ledger.balance, 70)
      assert.strictEqual(ledger.name, "main")
      assert.strictEqual(ledger.sync(4), 8)
      assert.deepStrictEqual(
        spans.map((s) => s.name),
        ["mabeam.ledger.transfer", "mabeam.ledger.transfer", "mabeam.ledger.balance"]
      )
      const failed = spans[1]!
      assert.strictEqual(failed.status._tag === "Ended" && failed.status.exit._tag, "Failure")
    }).pipe(Effect.withTracer(tracer))
  })
})
