/** The Raft scenario: 5 members, a client proposing every ~25 ms, crashes and partitions. */
import { Effect, Random } from "effect"
import { Raft } from "../../../src/coordination/index.ts"
import type { FaultAction, FaultView, SimulateOptions } from "../../../src/sim/index.ts"
import type { SimNetwork } from "../../../src/transport/sim/index.ts"

type C = number
const isCommand = (u: unknown): u is C => typeof u === "number"

/** Proposes `n` commands to random members, one every 10..40 ms, draining replies. */
export const proposer =
  (members: ReadonlyArray<string>, service = "raft", count = 1_000) =>
  (network: SimNetwork) =>
    Effect.gen(function* () {
      const endpoint = yield* Effect.orDie(network.transport("client").bind("client"))
      yield* Effect.forkScoped(Effect.forever(endpoint.receive))
      for (let n = 0; n < count; n++) {
        yield* Effect.sleep(yield* Random.nextIntBetween(10, 40))
        const member = members[yield* Random.nextIntBetween(0, members.length - 1)] ?? "n0"
        yield* endpoint.send({ node: member, id: service }, { _tag: "Propose", id: `p${n}`, command: n })
      }
    })

/**
 * Proposes `count` commands, one every 10..40 ms, to the leader last named in a reply (a random
 * member when none is known): so every short-lived leader gets entries to append.
 */
export const hintedProposer =
  (members: ReadonlyArray<string>, service = "raft", count = 1_000) =>
  (network: SimNetwork) =>
    Effect.gen(function* () {
      const endpoint = yield* Effect.orDie(network.transport("client").bind("client"))
      let leader: string | undefined
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.map(endpoint.receive, (envelopes) => {
            for (const envelope of envelopes) {
              const m = envelope.message as { readonly _tag?: unknown; readonly leader?: unknown }
              if (m._tag === "ProposeReply" && typeof m.leader === "string") leader = m.leader
            }
          })
        )
      )
      for (let n = 0; n < count; n++) {
        yield* Effect.sleep(yield* Random.nextIntBetween(10, 40))
        const member = leader ?? members[yield* Random.nextIntBetween(0, members.length - 1)] ?? "n0"
        leader = undefined
        yield* endpoint.send({ node: member, id: service }, { _tag: "Propose", id: `p${n}`, command: n })
      }
    })

/**
 * Steers faults toward Raft's Figure 8: a leader's entries reach only a minority (it is cut off
 * with one follower), it is crashed soon after being elected, the crashed come back quickly, so
 * leadership passes back and forth between nodes holding entries of older terms, and a leader
 * whose old-term entry reached a majority before any entry of its own term did is deposed at once
 * (the scenario replicates one entry per Append, so that moment exists: with batches, the new
 * leader's no-op travels with the old entry).
 */
export const figure8Steer =
  <C>(members: ReadonlyArray<string>) =>
  (view: FaultView<Raft.RaftState<C>>): FaultAction => {
    let leader: Raft.RaftState<C> | undefined
    for (const s of view.states.values())
      if (s.role === "leader" && (leader === undefined || s.term > leader.term)) leader = s
    const roll = view.random()
    if (leader === undefined) {
      if (view.down.length > 0 && roll < 0.2)
        return { _tag: "Restart", node: view.down[Math.floor(view.random() * view.down.length)]! }
      return roll < 0.15 ? { _tag: "Heal" } : { _tag: "None" }
    }
    const self = leader.self.node
    // The dangerous moment: a majority holds an entry of an older term that no entry of the
    // leader's term covers yet. Depose the leader now...
    const held = [leader.log.length, ...members.filter((m) => m !== self).map((m) => leader.match[m] ?? 0)].sort(
      (a, b) => b - a
    )
    const majorityHeld = held[Math.floor(members.length / 2)] ?? 0
    const oldTerm = leader.log.termAt(majorityHeld)
    if (majorityHeld > 0 && oldTerm < leader.term) {
      // ...and some other node holds a conflicting entry of a later term there, which could win next.
      const rival = [...view.states.values()].some((s) => s.self.node !== self && s.log.termAt(majorityHeld) > oldTerm)
      if (rival) return { _tag: "Crash", node: self }
    }
    // A fresh leader whose own entries no peer holds yet: crashing it leaves a divergent entry of a
    // high term behind, the other half of Figure 8.
    const alone = members.every((m) => m === self || (leader.match[m] ?? 0) < leader.log.length)
    if (alone && roll < 0.5) return { _tag: "Crash", node: self }
    if (roll < 0.04) {
      const others = members.filter((m) => m !== self)
      return { _tag: "Partition", groups: [[self, others[Math.floor(view.random() * others.length)]!]] }
    }
    if (roll < 0.07) return { _tag: "Crash", node: self }
    if (roll < 0.2 && view.down.length > 0) return { _tag: "Restart", node: view.down[0]! }
    return roll < 0.12 ? { _tag: "Heal" } : { _tag: "None" }
  }

/** Options of the Raft scenario; `unsafe` selects a deliberately broken variant. */
export interface RaftScenario {
  readonly unsafe?: { readonly ignoreTerm?: boolean; readonly commitOldTerms?: boolean }
  readonly duration?: number
  /** Steer faults toward Figure 8 schedules (and propose to the hinted leader). */
  readonly steer?: "figure8"
}

/** One seeded Raft run. */
export const raftScenario = (seed: number, scenario: RaftScenario = {}) => {
  const members = ["n0", "n1", "n2", "n3", "n4"]
  // Steered: one entry per Append and short timeouts (many terms per run).
  const steered = scenario.steer === "figure8" ? { maxBatch: 1, electionMin: 60, electionMax: 120, heartbeat: 20 } : {}
  const config = { ...Raft.defaultRaftConfig(members), unsafe: scenario.unsafe, ...steered }
  const protocol = Raft.makeRaft(config, isCommand)
  const duration = scenario.duration ?? 2_000
  const options: SimulateOptions<Raft.RaftState<C>, Raft.RaftMessage<C>, Raft.RaftPersisted<C>, Raft.RaftEmit<C>> = {
    seed,
    scenario: `raft${scenario.steer === "figure8" ? "-figure8" : ""}${
      scenario.unsafe?.commitOldTerms === true ? "-old-term-commit" : ""
    }${scenario.unsafe?.ignoreTerm === true || scenario.unsafe?.commitOldTerms === true ? "-broken" : ""}`,
    protocol,
    nodes: members,
    duration,
    quiet: 1_000,
    network: { defaults: { minDelay: 1, maxDelay: 20, drop: 0.05, duplicate: 0.05 } },
    faults:
      scenario.steer === "figure8"
        ? { interval: 5, crash: true, maxDown: 2, partition: true, steer: figure8Steer<C>(members) }
        : { interval: 150, crash: true, maxDown: 2, partition: true },
    workload: scenario.steer === "figure8" ? hintedProposer(members) : proposer(members),
    checker: () => {
      const raft = Raft.makeRaftChecker<C>()
      let lastCommit = -1
      return {
        step: (view) => {
          if (view.state.role === "leader" && view.outputs.some((o) => o._tag === "Emit" && o.value._tag === "Applied"))
            lastCommit = view.now
          return raft.check(view.node, view.state, view.states)
        },
        // Liveness: once healed, with every node up, some leader commits again.
        final: () =>
          lastCommit < duration
            ? `liveness: no commit after the faults stopped at ${duration} ms (last at ${lastCommit})`
            : undefined
      }
    }
  }
  return options
}
