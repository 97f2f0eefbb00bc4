/**
 * The election scenario: 5 members electing leaders with leases under crashes, partitions, drops
 * and duplicates. Checks at most one leader per term, at most one unexpired lease at any moment,
 * no leader acting past its lease, and (liveness) a leader with a valid lease once faults stop.
 */
import { Election } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"

/** One seeded election run; `broken` makes voters ignore their promises to the current leader. */
export const electionScenario = (
  seed: number,
  broken = false
): SimulateOptions<
  Election.ElectionState,
  Election.ElectionMessage,
  Election.ElectionPersisted,
  Election.ElectionEmit
> => {
  const members = ["n0", "n1", "n2", "n3", "n4"]
  const config = { ...Election.defaultElectionConfig(members), unsafe: broken ? { ignorePromise: true } : undefined }
  const duration = 1_200
  return {
    seed,
    scenario: broken ? "election-broken" : "election",
    protocol: Election.makeElection(config),
    nodes: members,
    duration,
    quiet: 800,
    network: { defaults: { minDelay: 1, maxDelay: 20, drop: 0.05, duplicate: 0.05 } },
    faults: { interval: 150, crash: true, maxDown: 2, partition: true },
    checker: () => {
      const safety = Election.makeElectionChecker()
      let now = 0
      return {
        step: (view) => {
          now = view.now
          return safety.check(view.now, view.node, view.state, view.states)
        },
        final: (states) =>
          [...states.values()].some((s) => Election.isLeader(s, now))
            ? undefined
            : `liveness: no leader with a valid lease at ${now}, after the faults stopped at ${duration} ms`
      }
    }
  }
}
