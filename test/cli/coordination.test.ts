import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TestConsole } from "effect/testing"
import { coordination, runScenario } from "../../src/cli/index.ts"
import { waitFor } from "../dashboard/sse.ts"
import { runCli } from "./helpers.ts"

describe("mabeam run/inspect coordination", () => {
  it.live(
    "run coordination: one journal entry per round under strictly increasing fencing tokens, leaders replaced after crashes",
    () =>
      Effect.gen(function* () {
        const result = yield* runCli(["run", "coordination", "--seed", "3", "--rounds", "10"])
        assert.strictEqual(result.code, 0, result.err)
        assert.include(result.out, `coordination: 3 workers, 10 rounds under the lock "journal" (seed 3)`)
        assert.include(result.out, "fencing tokens 1..10, strictly increasing: true; stale writes rejected: 0")
        assert.match(result.out, /plan: every worker got \{"proposer":"worker-\d"\}/)
        // Seed 3 crashes the leader after round 7: a second term follows the first.
        assert.include(result.out, "leader crashes: 1 (after round 7), each followed by a new election")
        const terms = [
          ...(/leaders in turn: (.*)\n/.exec(result.out)?.[1] ?? "").matchAll(/worker-\d \(term (\d+)\)/g)
        ].map((m) => Number(m[1]))
        assert.isAtLeast(terms.length, 2)
        assert.isTrue(
          terms.every((t, i) => i === 0 || t > terms[i - 1]!),
          `terms not increasing: ${terms.join(", ")}`
        )
      }).pipe(Effect.timeout("60 seconds"))
  )

  it.live("inspect coordination prints the election, the propose group, the locks and the participants", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["inspect", "coordination", "--rounds", "2"])
      assert.strictEqual(result.code, 0, result.err)
      assert.match(result.out, /\ncoordination \(lock served by one owner, last fencing token \d+\):\n/)
      assert.match(result.out, /\n {2}election workers: leader seat-\d \(worker-\d\), term \d+, lease ends in \d+ ms\n/)
      assert.match(
        result.out,
        /\n {2}propose plan: leader replica-\d, term \d+, commit index \d+, decided \{"proposer":"worker-\d"\}\n/
      )
      assert.include(result.out, "\n  locks: none held\n")
      assert.include(
        result.out,
        "participants: lock/owner up, propose/plan/replica-0 up, propose/plan/replica-1 up, propose/plan/replica-2 up"
      )
    }).pipe(Effect.timeout("60 seconds"))
  )

  it.live("inspect --url shows the lock held by the leader with its token while the scenario runs", () =>
    Effect.gen(function* () {
      const url = yield* Deferred.make<string>()
      const run = yield* runScenario(coordination, {
        seed: 1,
        rounds: 200,
        // The leader holds the lock a whole second per round, so the separate `inspect` process,
        // slow to start on a loaded machine, still finds it held.
        paceMillis: 1_000,
        dashboardPort: 0,
        intervalMillis: 20,
        hold: true,
        onDashboard: (dashboard) => Deferred.succeed(url, dashboard.url).pipe(Effect.asVoid)
      }).pipe(Effect.provide(TestConsole.layer), Effect.forkChild)
      const base = yield* Deferred.await(url)
      const held = yield* waitFor(base, (s) => (s.coordination?.locks.length ?? 0) > 0)
      const leader = held.coordination?.elections[0]?.leaderHolder
      assert.strictEqual(held.coordination?.locks[0]?.holder, leader)
      const live = yield* runCli(["inspect", "--url", base])
      assert.strictEqual(live.code, 0, live.err)
      assert.match(live.out, /\n {2}lock journal: token \d+, held by worker-\d, until in \d+ ms\n/)
      yield* Fiber.interrupt(run)
    }).pipe(Effect.timeout("60 seconds"))
  )

  it.live("--agents below 3 or above 9 is a usage error", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "coordination", "--agents", "2"])
      assert.strictEqual(result.code, 2)
      assert.include(result.err, "an integer from 3 to 9 for coordination")
    })
  )
})
