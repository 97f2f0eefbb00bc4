import { assert, describe, it } from "@effect/vitest"
import { Effect, Runtime } from "effect"
import { TestConsole } from "effect/testing"
import { brokenChaos, runScenario } from "../../src/cli/index.ts"
import { runCli } from "./helpers.ts"

describe("mabeam run chaos", () => {
  it.live("--seed 3 checks every invariant, reports the injected faults, exits 0 and prints the same report again", () =>
    Effect.gen(function*() {
      const first = yield* runCli(["run", "chaos", "--seed", "3"])
      assert.strictEqual(first.code, 0, first.err)
      assert.include(first.out, "chaos: raft, lock, election with 5 members under seeded faults")
      assert.include(first.out, "(seed 3)")
      assert.include(first.out, "raft: checks one leader per term, log matching, leader completeness, state-machine safety, no acknowledged commit lost")
      assert.include(first.out, "lock: checks at most one valid lease, fencing tokens strictly increase")
      assert.include(first.out, "election: checks one leader per term, at most one unexpired lease")
      const injected = [...first.out.matchAll(/injected: (\d+) crashes, (\d+) restarts, (\d+) partitions, (\d+) heals/g)]
      assert.strictEqual(injected.length, 3)
      // Faults really were injected: every part saw crashes or partitions.
      for (const m of injected) assert.isAbove(Number(m[1]) + Number(m[3]), 0)
      assert.match(first.out, /client: \d+ commands proposed, \d+ acknowledged as committed/)
      assert.match(first.out, /network: \d+ sent, \d+ delivered, [1-9]\d* dropped, \d+ duplicated/)
      assert.strictEqual(first.out.match(/verdict: ok after \d+ checked steps \(trace [0-9a-f]{8}, \d+ events\)/g)?.length, 3)
      assert.include(first.out, "chaos: every invariant held (seed 3); replay with --seed")
      const again = yield* runCli(["run", "chaos", "--seed", "3"])
      assert.strictEqual(again.out, first.out)
      const other = yield* runCli(["run", "chaos", "--seed", "4"])
      assert.strictEqual(other.code, 0, other.err)
      assert.notStrictEqual(other.out.replaceAll("seed 4", "seed 3"), first.out)
    }))

  it.live("--rounds N runs N consecutive seeds with one line each; --agents sets the cluster size", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["run", "chaos", "--seed", "10", "--rounds", "2", "--agents", "3"])
      assert.strictEqual(result.code, 0, result.err)
      assert.include(result.out, "with 3 members")
      assert.include(result.out, "(seeds 10..11)")
      assert.match(result.out, /\nseed 10: raft ok \(\d+ faults, \d+ steps\), lock ok \(\d+ faults, \d+ steps\), election ok/)
      assert.match(result.out, /\nseed 11: raft ok/)
      assert.include(result.out, "every invariant held (2 seeds)")
    }))

  it.live("bad flags exit 2 and say what is expected", () =>
    Effect.gen(function*() {
      const few = yield* runCli(["run", "chaos", "--agents", "2"])
      assert.strictEqual(few.code, 2)
      assert.include(few.err, "--agents 2 is not valid: expected an integer from 3 to 9 for chaos")
      const many = yield* runCli(["run", "chaos", "--rounds", "5000"])
      assert.strictEqual(many.code, 2)
      assert.include(many.err, "--rounds 5000 is not valid: expected an integer from 1 to 1000 for chaos")
      const word = yield* runCli(["run", "chaos", "--seed", "seven"])
      assert.strictEqual(word.code, 2)
      assert.match(word.err, /seed/)
      assert.strictEqual(word.out.includes("verdict"), false)
    }))

  it.live("a broken protocol is caught: the violation and trace are printed, the run fails with exit code 1 and the seed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(runScenario(brokenChaos, { seed: 1, rounds: 1, paceMillis: 0 }))
      const out = (yield* TestConsole.logLines).map(String).join("\n")
      assert.strictEqual(error._tag, "ScenarioFailed")
      assert.strictEqual(Runtime.getErrorExitCode(error), 1)
      // The owner that forgets leases grants a held lock: the lock part catches it.
      assert.match(error.message, /lock broke an invariant with seed 1: mutual exclusion: c\d got the lock at \d+ while c\d's lease runs to \d+/)
      assert.include(error.message, "--seed 1")
      assert.match(out, /verdict: VIOLATED after \d+ steps: mutual exclusion/)
      assert.include(out, "last trace lines:")
      const again = yield* Effect.flip(runScenario(brokenChaos, { seed: 1, rounds: 1, paceMillis: 0 }))
      assert.strictEqual(again.message, error.message)
    }).pipe(Effect.provide(TestConsole.layer)))
})
