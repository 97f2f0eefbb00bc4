/** The Raft scenario: 5 members, a client proposing every ~25 ms, crashes and partitions. */
import { Effect, Random } from "effect"
import { Raft } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"
import type { SimNetwork } from "../../../src/transport/sim/index.ts"

type C = number
const isCommand = (u: unknown): u is C => typeof u === "number"

/** Proposes `n` commands to random members, one every 10..40 ms, draining replies. */
export const proposer = (members: ReadonlyArray<string>, service = "raft", count = 1_000) => (network: SimNetwork) =>
  Effect.gen(function*() {
    const endpoint = yield* Effect.orDie(network.transport("client").bind("client"))
    yield* Effect.forkScoped(Effect.forever(endpoint.receive))
    for (let n = 0; n < count; n++) {
      yield* Effect.sleep(yield* Random.nextIntBetween(10, 40))
      const member = members[yield* Random.nextIntBetween(0, members.length - 1)] ?? "n0"
      yield* endpoint.send({ node: member, id: service }, { _tag: "Propose", id: `p${n}`, command: n })
    }
  })

/** Options of the Raft scenario; `unsafe` selects a deliberately broken variant. */
export interface RaftScenario {
  readonly unsafe?: { readonly ignoreTerm?: boolean }
  readonly duration?: number
}

/** One seeded Raft run. */
export const raftScenario = (seed: number, scenario: RaftScenario = {}) => {
  const members = ["n0", "n1", "n2", "n3", "n4"]
  const config = { ...Raft.defaultRaftConfig(members), unsafe: scenario.unsafe }
  const protocol = Raft.makeRaft(config, isCommand)
  const duration = scenario.duration ?? 2_000
  const options: SimulateOptions<Raft.RaftState<C>, Raft.RaftMessage<C>, Raft.RaftPersisted<C>, Raft.RaftEmit<C>> = {
    seed,
    scenario: scenario.unsafe?.ignoreTerm === true ? "raft-broken" : "raft",
    protocol,
    nodes: members,
    duration,
    quiet: 1_000,
    network: { defaults: { minDelay: 1, maxDelay: 20, drop: 0.05, duplicate: 0.05 } },
    faults: { interval: 150, crash: true, maxDown: 2, partition: true },
    workload: proposer(members),
    checker: () => {
      const raft = Raft.makeRaftChecker<C>()
      let lastCommit = -1
      return {
        step: (view) => {
          if (view.state.role === "leader" && view.outputs.some((o) => o._tag === "Emit" && o.value._tag === "Applied")) lastCommit = view.now
          return raft.check(view.node, view.state, view.states)
        },
        // Liveness: once healed, with every node up, some leader commits again.
        final: () => (lastCommit < duration ? `liveness: no commit after the faults stopped at ${duration} ms (last at ${lastCommit})` : undefined)
      }
    }
  }
  return options
}
