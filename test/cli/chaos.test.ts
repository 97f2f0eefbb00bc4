import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Runtime } from "effect"
import { TestConsole } from "effect/testing"
import { brokenChaos, ChaosViolation, runScenario, type Scenario } from "../../src/cli/index.ts"
import { electionPart, lockPart, raftPart } from "../../src/cli/scenarios/chaos/index.ts"
import { Probe } from "../../src/dashboard/index.ts"
import { Mabeam } from "../../src/runtime/index.ts"
import { runCli } from "./helpers.ts"

describe("mabeam run chaos", () => {
  it.live(
    "--seed 3 checks every invariant, reports the injected faults, exits 0 and prints the same report again",
    () =>
      Effect.gen(function* () {
        const first = yield* runCli(["run", "chaos", "--seed", "3"])
        assert.strictEqual(first.code, 0, first.err)
        assert.include(first.out, "chaos: supervision, raft, lock, election with 5 members under seeded faults")
        assert.include(first.out, "(seed 3)")
        assert.include(
          first.out,
          "supervision: checks every request answered, fresh state after each restart, requests queued behind a crash survive it"
        )
        assert.include(first.out, "replicas: 5 agents under supervisor chaos-team-3 answered 200 of 200 requests")
        const poisoned =
          /injected: (\d+) crashes \(a poison message queued before a request\)\n {2}restarts: (\d+); dead letters: handler-crashed (\d+), agent-stopped 0, mailbox-full 0/.exec(
            first.out
          )
        assert.isNotNull(poisoned)
        assert.isAbove(Number(poisoned?.[1]), 0)
        assert.strictEqual(poisoned?.[2], poisoned?.[1])
        assert.strictEqual(poisoned?.[3], poisoned?.[1])
        assert.include(first.out, "verdict: ok after 200 checked requests")
        assert.include(
          first.out,
          "raft: checks one leader per term, log matching, leader completeness, state-machine safety, no acknowledged commit lost"
        )
        assert.include(first.out, "lock: checks at most one valid lease, fencing tokens strictly increase")
        assert.include(first.out, "election: checks one leader per term, at most one unexpired lease")
        const injected = [
          ...first.out.matchAll(/injected: (\d+) crashes, (\d+) restarts, (\d+) partitions, (\d+) heals/g)
        ]
        assert.strictEqual(injected.length, 3)
        // Faults really were injected: every part saw crashes or partitions.
        for (const m of injected) assert.isAbove(Number(m[1]) + Number(m[3]), 0)
        assert.match(first.out, /client: \d+ commands proposed, \d+ acknowledged as committed/)
        assert.match(first.out, /network: \d+ sent, \d+ delivered, [1-9]\d* dropped, \d+ duplicated/)
        assert.strictEqual(
          first.out.match(/verdict: ok after \d+ checked steps \(trace [0-9a-f]{8}, \d+ events\)/g)?.length,
          3
        )
        assert.include(first.out, "chaos: every invariant held (seed 3); replay with --seed")
        const again = yield* runCli(["run", "chaos", "--seed", "3"])
        assert.strictEqual(again.out, first.out)
        const other = yield* runCli(["run", "chaos", "--seed", "4"])
        assert.strictEqual(other.code, 0, other.err)
        assert.notStrictEqual(other.out.replaceAll("seed 4", "seed 3"), first.out)
      })
  )

  it.live("--rounds N runs N consecutive seeds with one line each; --agents sets the cluster size", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "chaos", "--seed", "10", "--rounds", "2", "--agents", "3"])
      assert.strictEqual(result.code, 0, result.err)
      assert.include(result.out, "with 3 members")
      assert.include(result.out, "(seeds 10..11)")
      assert.match(
        result.out,
        /\nseed 10: supervision ok \(\d+ faults, 200 steps\), raft ok \(\d+ faults, \d+ steps\), lock ok \(\d+ faults, \d+ steps\), election ok/
      )
      assert.match(result.out, /\nseed 11: supervision ok/)
      assert.include(result.out, "every invariant held (2 seeds)")
    })
  )

  it.live("bad flags exit 2 and say what is expected", () =>
    Effect.gen(function* () {
      const few = yield* runCli(["run", "chaos", "--agents", "2"])
      assert.strictEqual(few.code, 2)
      assert.include(few.err, "--agents 2 is not valid: expected an integer from 3 to 9 for chaos")
      const many = yield* runCli(["run", "chaos", "--rounds", "5000"])
      assert.strictEqual(many.code, 2)
      assert.include(many.err, "--rounds 5000 is not valid: expected an integer from 1 to 1000 for chaos")
      // Any word is a seed now (issue 26); a blank one is still a usage error.
      const blank = yield* runCli(["run", "chaos", "--seed", " "])
      assert.strictEqual(blank.code, 2)
      assert.include(blank.err, "--seed")
      assert.strictEqual(blank.out.includes("verdict"), false)
    })
  )

  it.live(
    "a broken protocol is caught: the violation and trace are printed, the run fails with exit code 1 and the seed",
    () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(runScenario(brokenChaos, { seed: 1, rounds: 1, paceMillis: 0 }))
        const out = (yield* TestConsole.logLines).map(String).join("\n")
        assert.strictEqual(error._tag, "ScenarioFailed")
        assert.strictEqual(Runtime.getErrorExitCode(error), 1)
        // Replicas whose count survives a restart: the first part catches it.
        assert.match(
          error.message,
          /supervision broke an invariant with seed 1: chaos-1-replica-\d answered \d+ for its request \d+ since the last restart: state survived a crash/
        )
        assert.include(error.message, "--seed 1")
        assert.match(out, /verdict: VIOLATED after \d+ requests: chaos-1-replica/)
        assert.include(out, "last trace lines:")
        const again = yield* Effect.flip(runScenario(brokenChaos, { seed: 1, rounds: 1, paceMillis: 0 }))
        assert.strictEqual(again.message, error.message)
        // Over several seeds (--rounds), the error names the seed that broke, to replay just that one.
        const later: Scenario = {
          name: "later",
          description: "breaks at its third seed",
          run: () => Effect.fail(new ChaosViolation({ part: "raft", seed: 7, violation: "election safety" }))
        }
        const range = yield* Effect.flip(runScenario(later, { seed: 5, rounds: 3, paceMillis: 0 }))
        assert.strictEqual(
          range.message,
          `scenario "later" failed: raft broke an invariant with seed 7: election safety. Run it again with --seed 7 to replay it.`
        )
      }).pipe(Effect.provide(TestConsole.layer))
  )

  it.live("the broken protocol variants are caught by their checkers", () =>
    Effect.gen(function* () {
      // The owner that forgets leases grants a held lock.
      const lock = yield* lockPart.run({ seed: 1, members: 5, broken: true })
      assert.isFalse(lock.ok)
      assert.match(lock.violation ?? "", /^mutual exclusion: c\d got the lock at \d+ while c\d's lease runs to \d+$/)
      assert.isTrue(lock.lines.some((line) => line.startsWith("verdict: VIOLATED")))
      // Raft that ignores terms and voters that ignore their promises break on some seeds.
      const firstFailure = (part: typeof raftPart) =>
        Effect.gen(function* () {
          for (let seed = 1; seed <= 20; seed++) {
            const run = yield* part.run({ seed, members: 5, broken: true })
            if (!run.ok) return run.violation
          }
          return undefined
        })
      assert.match(
        (yield* firstFailure(raftPart)) ?? "no violation in 20 seeds",
        /safety|matching|completeness|durability/
      )
      assert.match((yield* firstFailure(electionPart)) ?? "no violation in 20 seeds", /lease|leader per term/)
    }).pipe(Effect.provide(Layer.merge(Mabeam.layer({ env: {} }), Probe.layer)))
  )
})
