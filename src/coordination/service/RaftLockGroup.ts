/**
 * The Raft-replicated lock for `Coordination.lock` (option `lock: "raft"`): `size` replicas
 * (participants `lock/replica-i`, virtual nodes in the service's scope) run `makeRaftLock`, so the
 * lock, its leases and fencing tokens survive the crash of a minority of replicas. A client asks
 * one replica, follows `LockRedirect`s to the leader, tries another replica when none answers,
 * and retries while the lock is busy, up to its deadline.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Option, Random } from "effect"
import type { Endpoint, Transport } from "../../transport/index.ts"
import { isLockRedirect, makeRaftLock } from "../lock/RaftLock.ts"
import { isLockMessage, leaseUntil } from "../lock/LockServer.ts"
import { defaultRaftConfig } from "../raft/Raft.ts"
import { CoordinationTimeout, QuorumUnavailable } from "./errors.ts"
import { type ParticipantRegistry, protocolParticipant } from "./Participants.ts"
import { type RaftGroupView, type RaftReport, raftGroupView } from "./State.ts"
import { virtualGroup } from "./VirtualNodes.ts"

/** A grant: the fencing token, until when the caller may rely on it, and the replica that granted it. */
export interface RaftGrant {
  readonly lock: string
  readonly token: number
  readonly until: number
  readonly leader: string
}

/** The client side of the replicated lock. */
export interface RaftLockGroup {
  /**
   * Acquires `lock` for `ttl` ms through `endpoint`, waiting up to `wait` ms. `QuorumUnavailable`
   * when no replica answered (no leader with a majority); `CoordinationTimeout` when the lock stayed busy.
   */
  readonly acquire: (endpoint: Endpoint, lock: string, ttl: number, wait: number) => Effect.Effect<RaftGrant, QuorumUnavailable | CoordinationTimeout>
  /** Releases a grant, best effort (if the release is lost, the lease expires). */
  readonly release: (endpoint: Endpoint, grant: RaftGrant) => Effect.Effect<void>
  /** The replicas as they last reported (read-only, no messages). */
  readonly view: Effect.Effect<RaftGroupView>
}

/** Starts the `size` lock replicas over `transport` as participants and returns the client. */
export const makeRaftLockGroup = (options: {
  readonly transport: Transport["Service"]
  readonly participants: ParticipantRegistry
  readonly size: number
  readonly retry: number
}): Effect.Effect<RaftLockGroup> =>
  Effect.gen(function*() {
    const { participants, retry, size } = options
    const members = Array.from({ length: size }, (_, i) => `replica-${i}`)
    const config = { ...defaultRaftConfig(members), service: "lock" }
    const protocol = makeRaftLock({ raft: config })
    const net = virtualGroup(options.transport, "coordination/lock/raft", config.service, members)
    const reports = new Map<string, RaftReport>()
    for (const member of members) {
      const report = (s: { readonly raft: RaftReport }) => void reports.set(member, { role: s.raft.role, term: s.raft.term, commitIndex: s.raft.commitIndex })
      yield* participants.add(`lock/${member}`, protocolParticipant(protocol, net.bind(member), undefined, report))
    }
    const view = Effect.map(participants.list, (list) => raftGroupView(members, reports, list, "lock"))
    let target = 0

    const acquire = (endpoint: Endpoint, lock: string, ttl: number, wait: number) =>
      Effect.gen(function*() {
        const deadline = (yield* Clock.currentTimeMillis) + wait
        let answered = false
        while (true) {
          const id = `${endpoint.address.node}/${endpoint.address.id}#${yield* Random.nextInt}`
          const sentAt = yield* Clock.currentTimeMillis
          let outcome: { readonly _tag: "Granted"; readonly token: number } | { readonly _tag: "Busy"; readonly expires: number } | undefined
          while (outcome === undefined) {
            const left = deadline - (yield* Clock.currentTimeMillis)
            if (left <= 0) {
              return yield* answered
                ? new CoordinationTimeout({ operation: "lock", name: lock, timeout: wait })
                : new QuorumUnavailable({ group: "lock", operation: "lock", timeout: wait })
            }
            const asked = members[target % size] ?? "replica-0"
            yield* endpoint.send(net.real(asked), { _tag: "Acquire", lock, ttl, id })
            const batch = Option.getOrElse(yield* Effect.timeoutOption(endpoint.receive, Math.min(retry, left)), () => [])
            let hint: string | undefined
            for (const { message: m } of batch) {
              if (isLockMessage(m) && (m._tag === "Granted" || m._tag === "Busy") && m.id === id) outcome = m
              else if (isLockRedirect(m) && m.id === id) hint = m.leader ?? hint
            }
            if (outcome === undefined) {
              // Redirected: go to the leader named; silence or no name: try the next replica.
              const named = hint === undefined ? -1 : members.indexOf(hint)
              target = named >= 0 && named !== target % size ? named : target + 1
            }
          }
          if (outcome._tag === "Granted") {
            return { lock, token: outcome.token, until: leaseUntil(sentAt, ttl), leader: members[target % size] ?? "replica-0" } satisfies RaftGrant
          }
          answered = true
          const now = yield* Clock.currentTimeMillis
          yield* Effect.sleep(Math.max(1, Math.min(retry, outcome.expires - now, deadline - now)))
        }
      })

    const release = (endpoint: Endpoint, grant: RaftGrant) =>
      endpoint.send(net.real(grant.leader), { _tag: "Release", lock: grant.lock, token: grant.token })

    return { acquire, release, view }
  })
