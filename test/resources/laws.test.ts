/** Laws of the quotas, checked over generated operation sequences on the TestClock. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { TestClock } from "effect/testing"
import { type Permit, Quotas } from "../../src/resources/index.ts"
import { quotasLayer } from "./fixtures.ts"

const Op = Schema.Union([
  Schema.Struct({ op: Schema.Literal("acquire"), agent: Schema.Literals(["a", "b", "c"]) }),
  Schema.Struct({
    op: Schema.Literal("release"),
    index: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 20 }))
  })
])
const Step = Schema.Struct({
  wait: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 400 })),
  cost: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 4 }))
})
const options = { arbitrary: { runs: 60, seed: 3 } }

describe("quota laws", () => {
  it.effect.prop(
    "concurrent asks: never more than the agent or group limit in use; all released means none used",
    [Schema.Array(Op)],
    ([ops]) =>
      Effect.gen(function* () {
        const quotas = yield* Quotas
        const held: Array<[string, Permit]> = []
        for (const step of ops) {
          if (step.op === "acquire") {
            const result = yield* Effect.result(quotas.acquire(step.agent, "concurrentAsks"))
            if (result._tag === "Success") held.push([step.agent, result.success])
          } else {
            const entry = held.splice(step.index % Math.max(1, held.length), 1)[0]
            if (entry !== undefined) yield* entry[1].release
          }
          const perAgent = (agent: string) => held.filter(([a]) => a === agent).length
          assert.isAtMost(perAgent("a"), 2)
          assert.isAtMost(perAgent("a") + perAgent("b"), 3)
          const status = yield* quotas.status("a")
          assert.deepStrictEqual(
            status.map((s) => s.used),
            [perAgent("a"), perAgent("a") + perAgent("b")]
          )
        }
        for (const [, permit] of held) yield* permit.release
        assert.deepStrictEqual(
          (yield* quotas.status("b")).map((s) => s.used),
          [0, 0]
        )
      }).pipe(
        Effect.provide(
          quotasLayer({
            agents: { concurrentAsks: { limit: 2, policy: "shed" } },
            groups: { team: { concurrentAsks: { limit: 3, policy: "shed" } } },
            membership: { a: "team", b: "team" }
          })
        )
      ),
    options
  )

  it.effect.prop(
    "messages per second: admitted ≤ burst + rate × elapsed, whatever the arrival pattern",
    [Schema.Array(Step)],
    ([steps]) =>
      Effect.gen(function* () {
        const quotas = yield* Quotas
        let admitted = 0
        let elapsed = 0
        for (const step of steps) {
          yield* TestClock.adjust(step.wait)
          elapsed += step.wait
          const result = yield* Effect.result(quotas.check("a", step.cost))
          if (result._tag === "Success") admitted += step.cost
          else assert.isAbove(result.failure._tag === "QuotaExceeded" ? result.failure.retryAfterMillis : 0, 0)
          assert.isAtMost(admitted, 4 + (10 * elapsed) / 1000 + 1e-9)
        }
      }).pipe(Effect.provide(quotasLayer({ agents: { messagesPerSecond: { limit: 10, burst: 4, policy: "shed" } } }))),
    options
  )
})
