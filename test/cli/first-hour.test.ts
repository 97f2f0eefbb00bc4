/**
 * What surprised a new user in the first hour, run as they ran it: `run flagship --seed mabeam`
 * with the same progress display as `npm start` and a summary that agrees with itself, and
 * `run coordination` with its defaults showing the leader crashes it is about.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { runCli } from "./helpers.ts"

describe("the first hour", () => {
  it.live("run flagship --seed mabeam shows progress like npm start, and its chaos line adds up", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "flagship", "--seed", "mabeam", "--rounds", "3"])
      assert.strictEqual(result.code, 0, result.err)
      const lines = result.out.split("\n")
      assert.strictEqual(
        lines[0],
        `mabeam flagship: 3 worker agents, 3 strategist agents bidding 400 credits each, seed "mabeam"`
      )
      assert.match(lines[1]!, /^ {2}█░░ round 1\/3: 3 trials, best \d+\.\d% \(\w+\)$/)
      assert.match(lines[3]!, /^ {2}███ round 3\/3: 9 trials, best/)
      const chaos = result.out.match(
        /chaos: (\d+) workers killed mid-evaluation, (\d+) trials recovered on another worker, (\d+) restarts by the supervisor(.*)/
      )
      assert.isNotNull(chaos, result.out)
      assert.strictEqual(chaos![3], chaos![1], "one restart per killed worker")
      assert.strictEqual(chaos![2], chaos![1], "every killed trial recovered")
      assert.strictEqual(chaos![4], "")
    })
  )

  it.live("run coordination with its defaults runs 12 rounds with leader crashes, counted as listed", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "coordination", "--seed", "1"])
      assert.strictEqual(result.code, 0, result.err)
      assert.include(result.out, `coordination: 3 workers, 12 rounds under the lock "journal" (seed 1)`)
      const crashes = result.out.match(/leader crashes: (\d+) \(after rounds? ([\d, ]+)\)/)
      assert.isNotNull(crashes, result.out)
      assert.isAbove(Number(crashes![1]), 0)
      assert.strictEqual(Number(crashes![1]), crashes![2]!.split(", ").length, "the count is the rounds listed")
    })
  )
})
