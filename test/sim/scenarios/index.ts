/** Every simulator scenario by name: the vitest suites and `test/sim/run.ts` share them. */
import { Effect } from "effect"
import type { SimResult } from "../../../src/sim/index.ts"
import { simulate } from "../../../src/sim/index.ts"
import { barrierScenario } from "./barrier.ts"
import { counterScenario, raftCounterScenario } from "./counter.ts"
import { electionScenario } from "./election.ts"
import { bargainScenario, contractNetScenario } from "./negotiation.ts"
import { pbftScenario } from "./pbft.ts"
import { raftLockScenario } from "./raftLock.ts"
import { votingScenario } from "./voting.ts"
import { lockScenario } from "./lock.ts"
import { raftScenario } from "./raft.ts"
import { kvScenario } from "./kv.ts"

/** Runs one seed of a named scenario. */
export const scenarios: Record<string, (seed: number) => Effect.Effect<SimResult>> = {
  raft: (seed) => simulate(raftScenario(seed)),
  "raft-broken": (seed) => simulate(raftScenario(seed, { unsafe: { ignoreTerm: true } })),
  "raft-figure8": (seed) => simulate(raftScenario(seed, { steer: "figure8" })),
  "raft-figure8-old-term-commit-broken": (seed) =>
    simulate(raftScenario(seed, { steer: "figure8", unsafe: { commitOldTerms: true } })),
  "raft-old-term-commit-broken": (seed) => simulate(raftScenario(seed, { unsafe: { commitOldTerms: true } })),
  lock: (seed) => simulate(lockScenario(seed)),
  barrier: (seed) => simulate(barrierScenario(seed)),
  "barrier-broken": (seed) => simulate(barrierScenario(seed, true)),
  "lock-broken": (seed) => simulate(lockScenario(seed, true)),
  counter: (seed) => simulate(counterScenario(seed)),
  "counter-broken": (seed) => simulate(counterScenario(seed, true)),
  "raft-counter": (seed) => simulate(raftCounterScenario(seed)),
  "raft-counter-broken": (seed) => simulate(raftCounterScenario(seed, true)),
  election: (seed) => simulate(electionScenario(seed)),
  "election-broken": (seed) => simulate(electionScenario(seed, true)),
  voting: (seed) => simulate(votingScenario(seed)),
  "voting-broken": (seed) => simulate(votingScenario(seed, true)),
  "contract-net": (seed) => simulate(contractNetScenario(seed)),
  "contract-net-broken": (seed) => simulate(contractNetScenario(seed, true)),
  bargain: (seed) => simulate(bargainScenario(seed)),
  "bargain-broken": (seed) => simulate(bargainScenario(seed, true)),
  pbft: (seed) => simulate(pbftScenario(seed)),
  "pbft-broken": (seed) => simulate(pbftScenario(seed, true)),
  "pbft-f2": (seed) => simulate(pbftScenario(seed, false, { f: 2 })),
  "pbft-no-view-change-broken": (seed) => simulate(pbftScenario(seed, "no-view-change")),
  "pbft-unsigned-broken": (seed) => simulate(pbftScenario(seed, "unsigned")),
  "raft-lock": (seed) => simulate(raftLockScenario(seed)),
  "raft-lock-release": (seed) => simulate(raftLockScenario(seed, false, "checked")),
  "raft-lock-release-broken": (seed) => simulate(raftLockScenario(seed, false, "lossy-broken")),
  "raft-lock-broken": (seed) => simulate(raftLockScenario(seed, true)),
  "raft-lock-history-broken": (seed) => simulate(raftLockScenario(seed, true, false, "history")),
  "raft-lock-races": (seed) => simulate(raftLockScenario(seed, false, false, "all", { races: true })),
  "raft-kv": (seed) => simulate(kvScenario(seed)),
  "raft-kv-broken": (seed) => simulate(kvScenario(seed, true))
}

/** Runs `count` seeds of `name` from `from`, returning the failures. */
export const runSeeds = (name: string, from: number, count: number) =>
  Effect.gen(function* () {
    const run = scenarios[name]
    if (run === undefined) return yield* Effect.die(new Error(`unknown scenario "${name}"`))
    const failures: Array<SimResult> = []
    for (let seed = from; seed < from + count; seed++) {
      const result = yield* run(seed)
      if (!result.ok) failures.push(result)
    }
    return failures
  })
