/**
 * Single-value consensus for `Coordination.propose`, on Raft: each group is a Raft cluster of
 * `size` replicas (virtual nodes in the service's scope). A proposal is appended to the group's
 * log; the group's decision is the value of the *first* command entry committed, so every
 * proposer of a group gets the same value (one of the proposed), and it never changes.
 *
 * @since 0.1.0
 */
import { Deferred, Effect, Option, Random, type Schema } from "effect"
import type { Endpoint, Transport } from "../../transport/index.ts"
import { defaultRaftConfig, isRaftMessage, makeRaft } from "../raft/Raft.ts"
import type { RaftEmit, RaftState } from "../raft/types.ts"
import { QuorumUnavailable } from "./errors.ts"
import { raftCommitSpan } from "./RaftCommitSpan.ts"
import { type ParticipantRegistry, protocolParticipant } from "./Participants.ts"
import { type ConsensusView, type RaftReport, raftGroupView } from "./State.ts"
import { virtualGroup } from "./VirtualNodes.ts"

/**
 * What the replicas agree on: a proposed JSON value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Proposal {
  readonly value: Schema.Json
}

const isProposal = (u: unknown): u is Proposal => typeof u === "object" && u !== null && "value" in u

/**
 * One group's replicated decision.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConsensusGroup {
  /** Proposes `value` through `endpoint` and returns the group's decision. */
  readonly propose: (endpoint: Endpoint, value: Schema.Json) => Effect.Effect<Schema.Json, QuorumUnavailable>
  /** The group's replicas as they last reported, and the decision once made (read-only, no messages). */
  readonly view: Effect.Effect<ConsensusView>
}

/**
 * Starts group `group`'s `size` Raft replicas over `transport` as participants `propose/${group}/replica-i`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeConsensusGroup = (options: {
  readonly transport: Transport["Service"]
  readonly participants: ParticipantRegistry
  readonly group: string
  readonly size: number
  readonly timeout: number
  readonly retry: number
}): Effect.Effect<ConsensusGroup> =>
  Effect.gen(function* () {
    const { group, participants, retry, size, timeout } = options
    const members = Array.from({ length: size }, (_, i) => `replica-${i}`)
    const config = defaultRaftConfig(members)
    const protocol = makeRaft(config, isProposal)
    const net = virtualGroup(options.transport, `coordination/raft/${group}`, config.service, members)
    const decided = yield* Deferred.make<Schema.Json>()
    const emit = (e: RaftEmit<Proposal>) =>
      e._tag === "Applied" && e.entry.command !== undefined
        ? Deferred.succeed(decided, e.entry.command.value).pipe(Effect.asVoid)
        : Effect.void
    const reports = new Map<string, RaftReport>()
    for (const member of members) {
      const report = (s: RaftReport) =>
        void reports.set(member, { role: s.role, term: s.term, commitIndex: s.commitIndex })
      yield* participants.add(
        `propose/${group}/${member}`,
        protocolParticipant(
          protocol,
          net.bind(member),
          emit,
          report,
          raftCommitSpan((s: RaftState<Proposal>) => s, `propose/${group}`, member)
        )
      )
    }
    const view = Effect.gen(function* () {
      const raft = raftGroupView(members, reports, yield* participants.list, `propose/${group}`)
      const decision = yield* Deferred.poll(decided)
      return Option.isSome(decision) ? { group, ...raft, decided: yield* decision.value } : { group, ...raft }
    })

    const propose = (endpoint: Endpoint, value: Schema.Json) =>
      Effect.gen(function* () {
        const id = `${endpoint.address.id}#${yield* Random.nextInt}`
        let target = members[0] ?? "replica-0"
        let turn = 0
        const submit = Effect.gen(function* () {
          while (true) {
            if (Option.isSome(yield* Deferred.poll(decided))) return
            yield* endpoint.send(net.real(target), { _tag: "Propose", id, command: { value } })
            const batch = Option.getOrElse(yield* Effect.timeoutOption(endpoint.receive, retry), () => [])
            let moved = false
            let hint: string | undefined
            for (const { message: m } of batch) {
              if (
                !isRaftMessage(m, isProposal) ||
                m._tag !== "ProposeReply" ||
                m.id !== id ||
                m.status !== "not-leader"
              )
                continue
              moved = true
              hint = m.leader
            }
            if (moved || batch.length === 0)
              target = hint !== undefined && members.includes(hint) ? hint : (members[++turn % size] ?? target)
          }
        })
        const outcome = yield* Effect.timeoutOption(
          Effect.andThen(Effect.raceFirst(submit, Effect.asVoid(Deferred.await(decided))), Deferred.await(decided)),
          timeout
        )
        if (Option.isNone(outcome)) return yield* new QuorumUnavailable({ group, operation: "propose", timeout })
        return outcome.value
      })
    return { propose, view }
  })
