/**
 * The Raft part of the `chaos` scenario: a replicated log under crashes, partitions, drops and
 * duplicates, with a client proposing commands. Checks Raft's safety properties after every step
 * (`Raft.makeRaftChecker`), that no command acknowledged as committed is lost, and that a leader
 * commits again once the faults stop.
 *
 * @since 0.1.0
 */
import { Effect, Random } from "effect"
import { Raft } from "../../../coordination/index.ts"
import { simulate, type SimulateOptions } from "../../../sim/index.ts"
import type { SimNetwork } from "../../../transport/sim/index.ts"
import { type ChaosPart, FAULT_MILLIS, LINKS, memberNames, type PartSettings, QUIET_MILLIS } from "./Part.ts"
import { fromSimulation, TRACE_CAPACITY } from "./report.ts"

type C = number
const isCommand = (u: unknown): u is C => typeof u === "number"

/** What the client saw: proposals sent, and ids the leader acknowledged as committed. */
interface ClientLog {
  proposed: number
  readonly acknowledged: Set<string>
}

/** Proposes a command to a random member every 10–40 ms and records `committed` replies. */
const client = (members: ReadonlyArray<string>, log: ClientLog) => (network: SimNetwork) =>
  Effect.gen(function*() {
    const endpoint = yield* Effect.orDie(network.transport("client").bind("client"))
    yield* Effect.forkScoped(Effect.forever(Effect.map(endpoint.receive, (envelopes) => {
      for (const { message } of envelopes) {
        if (Raft.isRaftMessage(message, isCommand) && message._tag === "ProposeReply" && message.status === "committed") {
          log.acknowledged.add(message.id)
        }
      }
    })))
    for (let n = 0; ; n++) {
      yield* Effect.sleep(yield* Random.nextIntBetween(10, 40))
      const member = members[yield* Random.nextIntBetween(0, members.length - 1)] ?? "n0"
      yield* endpoint.send({ node: member, id: "raft" }, { _tag: "Propose", id: `p${n}`, command: n })
      log.proposed = n + 1
    }
  })

const options = (settings: PartSettings, log: ClientLog, leaders: Map<number, string>) => {
  const members = memberNames(settings.members)
  const config = { ...Raft.defaultRaftConfig(members), unsafe: settings.broken ? { ignoreTerm: true } : undefined }
  const run: SimulateOptions<Raft.RaftState<C>, Raft.RaftMessage<C>, Raft.RaftPersisted<C>, Raft.RaftEmit<C>> = {
    seed: settings.seed,
    scenario: "raft",
    protocol: Raft.makeRaft(config, isCommand),
    nodes: members,
    duration: FAULT_MILLIS,
    quiet: QUIET_MILLIS,
    network: LINKS,
    faults: { interval: 150, crash: true, maxDown: Math.floor((settings.members - 1) / 2), partition: true },
    workload: client(members, log),
    traceCapacity: TRACE_CAPACITY,
    checker: () => {
      const raft = Raft.makeRaftChecker<C>()
      let lastCommit = -1
      return {
        step: (view) => {
          if (view.state.role === "leader") {
            if (!leaders.has(view.state.term)) leaders.set(view.state.term, view.node)
            if (view.outputs.some((o) => o._tag === "Emit" && o.value._tag === "Applied")) lastCommit = view.now
          }
          return raft.check(view.node, view.state, view.states)
        },
        final: (states) => {
          if (lastCommit < FAULT_MILLIS) return `liveness: no commit after the faults stopped at ${FAULT_MILLIS} ms`
          const leader = [...states.values()].filter((s) => s.role === "leader").sort((a, b) => b.term - a.term)[0]
          if (leader === undefined) return "liveness: no leader once the faults stopped"
          const kept = new Set(leader.log.map((entry) => entry.id))
          const lost = [...log.acknowledged].filter((id) => !kept.has(id))
          return lost.length === 0
            ? undefined
            : `durability: ${lost.length} commands acknowledged as committed are missing from leader ${leader.self.node}'s log (${lost.slice(0, 3).join(", ")})`
        }
      }
    }
  }
  return run
}

/** Raft under chaos. */
export const raftPart: ChaosPart = {
  name: "raft",
  invariants: [
    "one leader per term",
    "log matching",
    "leader completeness",
    "state-machine safety",
    "no acknowledged commit lost",
    "a leader commits again once healed"
  ],
  run: (settings) =>
    Effect.gen(function*() {
      const log: ClientLog = { proposed: 0, acknowledged: new Set() }
      const leaders = new Map<number, string>()
      const result = yield* simulate(options(settings, log, leaders))
      const terms = [...leaders].sort((a, b) => a[0] - b[0])
      const shown = terms.slice(-5).map(([term, node]) => `${term}:${node}`).join(", ")
      return fromSimulation(result, [
        `client: ${log.proposed} commands proposed, ${log.acknowledged.size} acknowledged as committed`,
        `leaders: ${terms.length} ${terms.length === 1 ? "term" : "terms"} had a leader${terms.length > 5 ? " (last 5)" : ""}: ${shown}`
      ])
    })
}
