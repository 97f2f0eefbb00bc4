/**
 * The simulated cluster (test/cluster/sim): effect/cluster's Sharding on 50 runners in one process,
 * seeded churn, simulated time. A bounded sample of seeds here (each a few seconds); more seeds,
 * bigger clusters and 100k ids with `npm run sim:cluster`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { simulate } from "./sim/simulate.ts"

// One seed of 50 runners here (about 4 s of CPU, more on a loaded machine); more seeds on demand.
const SEEDS = [1]

describe("simulated cluster", () => {
  for (const seed of SEEDS) {
    it.live(
      `seed ${seed}: 50 runners under churn, single activation, no acknowledged state lost, every ask answered`,
      () =>
        Effect.gen(function* () {
          const report = yield* simulate({ seed, runners: 50, ids: 200 })
          assert.deepStrictEqual(report.violations, [])
          // The run did churn, and the work went through it.
          assert.isAbove(report.left + report.killed, 0)
          assert.isAbove(report.replies, 200)
          assert.isAtLeast(report.peakRunners, 50)
        }),
      60_000
    )
  }

  it.live(
    "same seed, same run",
    () =>
      Effect.gen(function* () {
        const first = yield* simulate({ seed: 3, runners: 5, ids: 100 })
        const second = yield* simulate({ seed: 3, runners: 5, ids: 100 })
        assert.deepStrictEqual(second, first)
        assert.isAbove(first.joined + first.left + first.killed, 0)
      }),
    60_000
  )

  it.live(
    "the single-activation checker catches shard locks that exclude nobody",
    () =>
      Effect.gen(function* () {
        const report = yield* simulate({
          seed: 1,
          runners: 10,
          ids: 300,
          churnEvery: 300,
          bug: { _tag: "locks" },
          stopAtViolation: true
        })
        assert.isTrue(
          report.violations.some((v) => v.includes("while active on")),
          report.violations.join("\n")
        )
      }),
    60_000
  )

  it.live(
    "the durability checker catches acknowledged saves that were not written",
    () =>
      Effect.gen(function* () {
        const report = yield* simulate({
          seed: 1,
          runners: 10,
          ids: 300,
          bug: { _tag: "saves", lossEvery: 7 },
          stopAtViolation: true
        })
        assert.isTrue(
          report.violations.some((v) => v.includes("state lost") || v.includes("below the acknowledged")),
          report.violations.join("\n")
        )
      }),
    60_000
  )
})
