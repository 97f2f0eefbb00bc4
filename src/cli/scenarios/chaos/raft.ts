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

/**
 * What the client saw: proposals sent, ids the leader acknowledged as committed, redirects followed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientLog {
  proposed: number
  redirected: number
  readonly acknowledged: Set<string>
}

/**
 * Proposes a command every 10–40 ms to the leader it last heard of (a random member while it knows
 * none), records `committed` replies, and follows `not-leader` hints: the proposal is sent again
 * (same id: the leader appends it once) to the member named. Resends happen only in answer to a
 * reply, so they are bounded by the replies.
 *
 * @since 0.1.0
 * @category utils
 */
export const chaosRaftClient = (members: ReadonlyArray<string>, log: ClientLog) => (network: SimNetwork) =>
  Effect.gen(function* () {
    const endpoint = yield* Effect.orDie(network.transport("client").bind("client"))
    let leader: string | undefined
    const propose = (member: string, n: number) =>
      endpoint.send({ node: member, id: "raft" }, { _tag: "Propose", id: `p${n}`, command: n })
    yield* Effect.forkScoped(
      Effect.forever(
        Effect.flatMap(endpoint.receive, (envelopes) =>
          Effect.forEach(
            envelopes,
            ({ message }) => {
              if (!Raft.isRaftMessage(message, isCommand) || message._tag !== "ProposeReply") return Effect.void
              const hint = message.leader !== undefined && members.includes(message.leader) ? message.leader : undefined
              if (message.status === "committed") log.acknowledged.add(message.id)
              if (message.status !== "not-leader") {
                leader = hint ?? leader
                return Effect.void
              }
              leader = hint
              const n = Number(message.id.slice(1))
              if (hint === undefined || !Number.isSafeInteger(n)) return Effect.void
              log.redirected++
              return propose(hint, n)
            },
            { discard: true }
          )
        )
      )
    )
    for (let n = 0; ; n++) {
      yield* Effect.sleep(yield* Random.nextIntBetween(10, 40))
      const member = leader ?? members[yield* Random.nextIntBetween(0, members.length - 1)] ?? "n0"
      yield* propose(member, n)
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
    workload: chaosRaftClient(members, log),
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

/**
 * Raft under chaos.
 *
 * @since 0.1.0
 * @category utils
 */
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
    Effect.gen(function* () {
      const log: ClientLog = { proposed: 0, redirected: 0, acknowledged: new Set() }
      const leaders = new Map<number, string>()
      const result = yield* simulate(options(settings, log, leaders))
      const terms = [...leaders].sort((a, b) => a[0] - b[0])
      const shown = terms
        .slice(-5)
        .map(([term, node]) => `${term}:${node}`)
        .join(", ")
      return fromSimulation(result, [
        `client: ${log.proposed} commands proposed, ${log.acknowledged.size} acknowledged as committed (${log.redirected} redirects followed)`,
        `leaders: ${terms.length} ${terms.length === 1 ? "term" : "terms"} had a leader${terms.length > 5 ? " (last 5)" : ""}: ${shown}`
      ])
    })
}
