import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { formatFailure, simulate, simulateSeeds } from "../../src/sim/index.ts"
import { lockScenario } from "./scenarios/lock.ts"
import { raftLockScenario } from "./scenarios/raftLock.ts"

describe("Lease lock under the fault simulator", () => {
  it.effect("never two holders with valid leases, fencing tokens strictly increase: 200 seeds", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds(lockScenario, 1, 200)
      const failed = results.find((r) => !r.ok)
      assert.isUndefined(failed, failed === undefined ? "" : formatFailure("lock", failed))
      assert.strictEqual(results.length, 200)
    })
  )

  it.effect("an owner that ignores leases is caught at once", () =>
    Effect.gen(function* () {
      const result = yield* simulate(lockScenario(1, true))
      assert.isFalse(result.ok)
      assert.match(result.violation ?? "", /mutual exclusion: c\d and c\d both hold a valid lease on L/)
    })
  )
})

describe("Raft-replicated lease lock under the fault simulator", () => {
  it.effect(
    "crashes, partitions, drops: never two valid holders, tokens strictly increase, the recorded acquire/release history is linearizable, Raft stays safe, grants resume after heal: 200 seeds",
    () =>
      Effect.gen(function* () {
        const results = yield* simulateSeeds(raftLockScenario, 1, 200)
        const failed = results.find((r) => !r.ok)
        assert.isUndefined(failed, failed === undefined ? "" : formatFailure("raft-lock", failed))
        assert.strictEqual(results.length, 200)
        // The faults really happened: members crashed and messages were lost.
        assert.isTrue(results.every((r) => r.stats.dropped > 0))
      }),
    120_000
  ) // about 40 s of CPU: 200 seeds of 2.2 simulated seconds each, 8 nodes

  it.effect("regression: two grants in one step never reach clients out of order (seeds 2419, 3369, 6229)", () =>
    Effect.gen(function* () {
      // At 9cd7757 these failed with "fencing: cX got token N after token N+1": the lower,
      // already-superseded grant of a batch reached its client after the higher one.
      for (const seed of [2419, 3369, 6229]) {
        const result = yield* simulate(raftLockScenario(seed))
        assert.isTrue(result.ok, formatFailure("raft-lock", result))
      }
    })
  )

  it.effect("regression: grants resume within the quiet period after a stale member rejoins (seeds 5482, 5763)", () =>
    Effect.gen(function* () {
      // At 9cd7757 these failed with "liveness: no grant after the faults stopped": a member that
      // restarted with a stale log and a newer term kept deposing leaders (no pre-vote).
      for (const seed of [5482, 5763]) {
        const result = yield* simulate(raftLockScenario(seed))
        assert.isTrue(result.ok, formatFailure("raft-lock", result))
      }
    })
  )

  it.effect(
    "fault-free network with drops: every release sent 100+ ms before its lease ends is acknowledged in time (30 seeds); the old lossy release is caught",
    () =>
      Effect.gen(function* () {
        const results = yield* simulateSeeds((seed) => raftLockScenario(seed, false, "checked"), 1, 30)
        const failed = results.find((r) => !r.ok)
        assert.isUndefined(failed, failed === undefined ? "" : formatFailure("raft-lock-release", failed))
        assert.strictEqual(results.length, 30)
        const lossy = yield* simulate(raftLockScenario(1, false, "lossy-broken"))
        assert.isFalse(lossy.ok)
        assert.match(
          lossy.violation ?? "",
          /^release: c\d sent a release 100\+ ms before its lease ended and it was never acknowledged$/
        )
      })
  )

  it.effect("a replicated machine that grants while a lease is held is caught, and the seed replays identically", () =>
    Effect.gen(function* () {
      const results = yield* simulateSeeds((seed) => raftLockScenario(seed, true), 1, 20)
      const failed = results.find((r) => !r.ok)
      assert.isDefined(failed, "the checker must catch the broken machine")
      if (failed === undefined) return
      assert.match(failed.violation ?? "", /mutual exclusion: c\d and c\d both hold a valid lease on L/)
      const again = yield* simulate(raftLockScenario(failed.seed, true))
      assert.strictEqual(again.traceHash, failed.traceHash)
    })
  )

  it.effect(
    "the recorded history alone (linearizability checker, no per-step checks) catches a machine that grants while a lease is held",
    () =>
      Effect.gen(function* () {
        const results = yield* simulateSeeds((seed) => raftLockScenario(seed, true, false, "history"), 1, 10)
        const failed = results.find((r) => !r.ok)
        assert.isDefined(failed, "the linearizability checker must catch the broken machine")
        assert.match(
          failed?.violation ?? "",
          /^linearizability: no linearization; after .* none of: c\d acquire\(ttl \d+\) -> granted \d+/
        )
      })
  )

  it.effect(
    "steered into races (acquires meeting in one batch, leases about as short as a commit): all checks incl. the history hold over 10 seeds, and grants did race their expiry",
    () =>
      Effect.gen(function* () {
        let late = 0
        const steered = (seed: number) => {
          const options = raftLockScenario(seed, false, false, "all", { races: true })
          return {
            ...options,
            checker: () => {
              const checker = options.checker()
              return {
                step: checker.step,
                final: (states: Parameters<NonNullable<typeof checker.final>>[0]) => {
                  for (const s of states.values()) if (s._tag === "Client") late += s.late
                  return checker.final?.(states)
                }
              }
            }
          }
        }
        const results = yield* simulateSeeds(steered, 1, 10)
        const failed = results.find((r) => !r.ok)
        assert.isUndefined(failed, failed === undefined ? "" : formatFailure("raft-lock-races", failed))
        assert.strictEqual(results.length, 10)
        assert.isAbove(late, 0, "some grant must have arrived after its lease ended")
      })
  )
})
