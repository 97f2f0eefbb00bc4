import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { kvScenario } from "./scenarios/kv.ts"

describe("Raft key-value register under the fault simulator", () => {
  it.effect(
    "crashes, partitions, drops, duplicates: every recorded history is linearizable per key, Raft stays safe, answers resume: 20 seeds",
    () =>
      Effect.gen(function* () {
        const results = yield* simulateSeeds(kvScenario, 1, 20)
        const failed = results.find((r) => !r.ok)
        assert.isUndefined(failed, failed === undefined ? "" : formatFailure("raft-kv", failed))
        assert.strictEqual(results.length, 20)
        assert.isTrue(results.every((r) => r.stats.dropped > 0))
      })
  )

  it.effect(
    "reads served from a member's local state (stale reads) are caught by the linearizability checker, and replay identically",
    () =>
      Effect.gen(function* () {
        const results = yield* simulateSeeds((seed) => kvScenario(seed, true), 1, 20)
        const failed = results.find((r) => !r.ok)
        assert.isDefined(failed, "the linearizability checker must catch stale reads")
        if (failed === undefined) return
        assert.match(
          failed.violation ?? "",
          /^linearizability: no linearization of "[xy]"; after .* none of: .*get [xy] -> /
        )
        const again = yield* simulate(kvScenario(failed.seed, true))
        assert.strictEqual(again.traceHash, failed.traceHash)
      })
  )
})
