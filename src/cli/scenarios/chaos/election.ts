/**
 * The election part of the `chaos` scenario: members elect leaders with leases
 * (`Election.makeElection`) under crashes, partitions, drops and duplicates. Checks at most one
 * leader per term, at most one unexpired lease at any moment, no leader acting past its lease
 * (`Election.makeElectionChecker`), and a leader with a valid lease once the faults stop.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { Election } from "../../../coordination/index.ts"
import { simulate, type SimulateOptions } from "../../../sim/index.ts"
import { type ChaosPart, FAULT_MILLIS, LINKS, memberNames, type PartSettings, QUIET_MILLIS } from "./Part.ts"
import { fromSimulation, TRACE_CAPACITY } from "./report.ts"

const options = (settings: PartSettings, seen: { leaders: ReadonlyMap<number, string> }) => {
  const members = memberNames(settings.members)
  const config = {
    ...Election.defaultElectionConfig(members),
    unsafe: settings.broken ? { ignorePromise: true } : undefined
  }
  const run: SimulateOptions<
    Election.ElectionState,
    Election.ElectionMessage,
    Election.ElectionPersisted,
    Election.ElectionEmit
  > = {
    seed: settings.seed,
    scenario: "election",
    protocol: Election.makeElection(config),
    nodes: members,
    duration: FAULT_MILLIS,
    quiet: QUIET_MILLIS,
    network: LINKS,
    faults: { interval: 150, crash: true, maxDown: Math.floor((settings.members - 1) / 2), partition: true },
    traceCapacity: TRACE_CAPACITY,
    checker: () => {
      const safety = Election.makeElectionChecker()
      seen.leaders = safety.leaders
      let now = 0
      return {
        step: (view) => {
          now = view.now
          return safety.check(view.now, view.node, view.state, view.states)
        },
        final: (states) =>
          [...states.values()].some((s) => Election.isLeader(s, now))
            ? undefined
            : `liveness: no leader with a valid lease at ${now}, after the faults stopped at ${FAULT_MILLIS} ms`
      }
    }
  }
  return run
}

/**
 * Leader election with leases under chaos.
 *
 * @since 0.1.0
 * @category utils
 */
export const electionPart: ChaosPart = {
  name: "election",
  invariants: [
    "one leader per term",
    "at most one unexpired lease",
    "no leader past its lease",
    "a leader once healed"
  ],
  run: (settings) =>
    Effect.gen(function* () {
      const seen: { leaders: ReadonlyMap<number, string> } = { leaders: new Map() }
      const result = yield* simulate(options(settings, seen))
      return fromSimulation(result, [
        `leaders: ${seen.leaders.size} ${seen.leaders.size === 1 ? "term" : "terms"} had a leader`
      ])
    })
}
