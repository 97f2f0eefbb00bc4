import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { chaosRaftClient, type ClientLog } from "../../src/cli/scenarios/chaos/raft.ts"
import { FAULT_MILLIS, LINKS, memberNames, QUIET_MILLIS } from "../../src/cli/scenarios/chaos/Part.ts"
import { Raft } from "../../src/coordination/index.ts"
import { formatFailure, simulate } from "../../src/sim/index.ts"

const isCommand = (u: unknown): u is number => typeof u === "number"

describe("the chaos scenario's Raft client", () => {
  it.effect(
    "follows leader hints: most proposals are acknowledged as committed despite crashes and partitions (5 seeds)",
    () =>
      Effect.gen(function* () {
        // At 9cd7757 the client picked random members and non-leaders dropped it: ~8 of 120 acknowledged.
        const members = memberNames(5)
        for (let seed = 1; seed <= 5; seed++) {
          const log: ClientLog = { proposed: 0, redirected: 0, acknowledged: new Set() }
          const result = yield* simulate({
            seed,
            scenario: "chaos-raft-client",
            protocol: Raft.makeRaft(Raft.defaultRaftConfig(members), isCommand),
            nodes: members,
            duration: FAULT_MILLIS,
            quiet: QUIET_MILLIS,
            network: LINKS,
            faults: { interval: 150, crash: true, maxDown: 2, partition: true },
            workload: chaosRaftClient(members, log),
            checker: () => {
              const raft = Raft.makeRaftChecker<number>()
              return { step: (view) => raft.check(view.node, view.state, view.states) }
            }
          })
          assert.isTrue(result.ok, formatFailure("chaos-raft-client", result))
          assert.isAtLeast(
            log.acknowledged.size,
            log.proposed * 0.4,
            `seed ${seed}: ${log.acknowledged.size} of ${log.proposed} acknowledged`
          )
        }
      })
  )
})
