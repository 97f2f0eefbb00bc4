import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, type SimResult } from "../../src/sim/index.ts"
import { pbftScenario, type PbftVariant } from "./scenarios/pbft.ts"

/** Runs `count` seeds of the scenario, recording the highest view an honest replica reached in each. */
const sweep = (from: number, count: number, f = 1) =>
  Effect.gen(function* () {
    const runs: Array<{ readonly result: SimResult; readonly maxView: number }> = []
    for (let seed = from; seed < from + count; seed++) {
      const options = pbftScenario(seed, false, { f })
      let maxView = 0
      const result = yield* simulate({
        ...options,
        checker: () => {
          const checker = options.checker()
          return {
            step: (view) => {
              if (view.state._tag === "Replica" && view.state.byzantine === "no")
                maxView = Math.max(maxView, view.state.r.view)
              return checker.step(view)
            },
            final: checker.final
          }
        }
      })
      runs.push({ result, maxView })
      if (!result.ok) break
    }
    return runs
  })

const broken = (variant: PbftVariant, seeds: ReadonlyArray<number>) =>
  Effect.forEach(seeds, (seed) => simulate(pbftScenario(seed, variant)))

describe("PBFT under the fault simulator", () => {
  it.effect(
    "agreement, validity and liveness with one Byzantine replica (the primary in half the seeds): 200 seeds",
    () =>
      Effect.gen(function* () {
        const runs = yield* sweep(1, 200)
        const failed = runs.find((r) => !r.result.ok)
        assert.isUndefined(failed, failed === undefined ? "" : formatFailure("pbft", failed.result))
        assert.strictEqual(runs.length, 200)
        // The faulty primary is silent in a quarter of its seeds (and silent as primary in another): the view must change.
        const silentPrimary = runs.filter((_, i) => (i + 1) % 2 === 0 && (((i + 1) >> 1) % 4) % 2 === 1)
        assert.isAbove(silentPrimary.length, 40)
        assert.isTrue(silentPrimary.every((r) => r.maxView >= 1))
      })
  )

  it.effect(
    "n = 7, f = 2: two Byzantine replicas (one the primary in half the seeds), live within its bound of 2,510 ms: 20 seeds",
    () =>
      Effect.gen(function* () {
        // f + 1 capped view changes (3 x (4 x 150 + 100 + 3 x 20)), then a client retry and the request's phases (150 + 4 x 20).
        const f2 = pbftScenario(1, false, { f: 2 })
        assert.strictEqual(f2.quiet, 2_510)
        assert.strictEqual(pbftScenario(1).quiet, 1_750)
        const runs = yield* sweep(1, 20, 2)
        const failed = runs.find((r) => !r.result.ok)
        assert.isUndefined(failed, failed === undefined ? "" : formatFailure("pbft", failed.result))
        assert.strictEqual(runs.length, 20)
        assert.isTrue(runs.some((r) => r.maxView >= 1))
      })
  )

  it.effect(
    "with real Ed25519 signatures a faulty-primary seed passes too, with the same trace as under HMAC keys",
    () =>
      Effect.gen(function* () {
        const ed = yield* simulate(pbftScenario(2, false, { signatures: "ed25519" }))
        const hmac = yield* simulate(pbftScenario(2))
        assert.isTrue(ed.ok, ed.violation)
        assert.strictEqual(ed.traceHash, hmac.traceHash)
      })
  )

  it.effect("a quorum of 2f instead of 2f + 1 is caught when the primary equivocates, and replays", () =>
    Effect.gen(function* () {
      const result = yield* simulate(pbftScenario(2, "quorum"))
      assert.match(result.violation ?? "", /^agreement: r\d committed req-\d at seq \d+, r\d committed req-\d/)
      const again = yield* simulate(pbftScenario(2, "quorum"))
      assert.strictEqual(again.traceHash, result.traceHash)
    })
  )

  it.effect("without view change a silent primary stops progress: liveness fails", () =>
    Effect.gen(function* () {
      const results = yield* broken("no-view-change", [1, 2, 3])
      for (const r of results)
        assert.match(r.violation ?? "", /^liveness: r[123] \(view 0, normal\) has not committed req-0/)
    })
  )

  it.effect("without signatures a forger naming honest replicas breaks agreement", () =>
    Effect.gen(function* () {
      const results = yield* broken("unsigned", [1, 3, 4, 6])
      for (const r of results)
        assert.match(r.violation ?? "", /^agreement: r\d committed req-\d at seq \d+, r\d committed req-\d/)
    })
  )
})
