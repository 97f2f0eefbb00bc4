/**
 * The Raft-replicated lock for `Coordination.lock` (option `lock: "raft"`): `size` replicas
 * (participants `lock/replica-i`, virtual nodes in the service's scope) run `makeRaftLock`, so the
 * lock, its leases and fencing tokens survive the crash of a minority of replicas. A client asks
 * one replica, follows `LockRedirect`s to the leader, tries another replica when none answers,
 * and retries while the lock is busy, up to its deadline. A grant that arrives after its lease is
 * over is given back at once. A release goes to the replica that granted, follows redirects to the
 * leader, and is resent until the leader acknowledges it (`LockReleased`) or the lease has ended.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Option, Random } from "effect"
import type { Endpoint, Transport } from "../../transport/index.ts"
import {
  isLockOverloaded,
  isLockRedirect,
  isLockReleased,
  makeRaftLock,
  type RaftLockState,
  releaseId
} from "../lock/RaftLock.ts"
import { isLockMessage, leaseUntil } from "../lock/LockServer.ts"
import { defaultRaftConfig } from "../raft/Raft.ts"
import { CoordinationTimeout, Overloaded, QuorumUnavailable } from "./errors.ts"
import type { ReleaseSignal } from "./ReleaseSignal.ts"
import { type ParticipantRegistry, protocolParticipant } from "./Participants.ts"
import { raftCommitSpan } from "./RaftCommitSpan.ts"
import { type RaftGroupView, type RaftReport, raftGroupView } from "./State.ts"
import { virtualGroup } from "./VirtualNodes.ts"

/**
 * A grant: the fencing token, until when the caller may rely on it (`until`, the caller's clock),
 * the replica that granted it, and when the replicated machine ends the lease (`expires`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftGrant {
  readonly lock: string
  readonly token: number
  readonly until: number
  readonly leader: string
  readonly expires: number
}

/**
 * The client side of the replicated lock.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftLockGroup {
  /**
   * Acquires `lock` for `ttl` ms through `endpoint`, waiting up to `wait` ms. `QuorumUnavailable`
   * when no replica answered (no leader with a majority); `CoordinationTimeout` when the lock stayed
   * busy; `Overloaded` at once when the leader's log is full.
   */
  readonly acquire: (
    endpoint: Endpoint,
    lock: string,
    ttl: number,
    wait: number
  ) => Effect.Effect<RaftGrant, QuorumUnavailable | CoordinationTimeout | Overloaded>
  /**
   * Releases a grant: sent to the replica that granted it, redirected to the leader, resent every
   * `retry` ms until acknowledged; gives up only once the lease has ended anyway.
   */
  readonly release: (endpoint: Endpoint, grant: RaftGrant) => Effect.Effect<void>
  /** The replicas as they last reported (read-only, no messages). */
  readonly view: Effect.Effect<RaftGroupView>
}

/**
 * Starts the `size` lock replicas over `transport` as participants and returns the client.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRaftLockGroup = (options: {
  readonly transport: Transport["Service"]
  readonly participants: ParticipantRegistry
  readonly size: number
  readonly retry: number
  /** Woken when a release is acknowledged; waiters for a busy lock wait on it (or the lease's end). */
  readonly signal: ReleaseSignal
}): Effect.Effect<RaftLockGroup> =>
  Effect.gen(function* () {
    const { participants, retry, size } = options
    const members = Array.from({ length: size }, (_, i) => `replica-${i}`)
    const config = { ...defaultRaftConfig(members), service: "lock" }
    const protocol = makeRaftLock({ raft: config })
    const net = virtualGroup(options.transport, "coordination/lock/raft", config.service, members)
    const reports = new Map<string, RaftReport>()
    for (const member of members) {
      const report = (s: { readonly raft: RaftReport }) =>
        void reports.set(member, { role: s.raft.role, term: s.raft.term, commitIndex: s.raft.commitIndex })
      yield* participants.add(
        `lock/${member}`,
        protocolParticipant(
          protocol,
          net.bind(member),
          undefined,
          report,
          raftCommitSpan((s: RaftLockState) => s.raft, "lock", member)
        )
      )
    }
    const view = Effect.map(participants.list, (list) => raftGroupView(members, reports, list, "lock"))
    const byRealId = new Map(members.map((m) => [net.real(m).id, m]))
    const memberOf = (from: { readonly node: string; readonly id: string }) =>
      from.node === options.transport.node ? byRealId.get(from.id) : undefined
    let target = 0
    const acquire = (endpoint: Endpoint, lock: string, ttl: number, wait: number) =>
      Effect.gen(function* () {
        const deadline = (yield* Clock.currentTimeMillis) + wait
        let answered = false
        while (true) {
          const id = `${endpoint.address.node}/${endpoint.address.id}#${yield* Random.nextInt}`
          const sentAt = yield* Clock.currentTimeMillis
          const seen = options.signal.seen(lock)
          let outcome:
            | { readonly _tag: "Granted"; readonly token: number; readonly expires: number; readonly from: string }
            | { readonly _tag: "Busy"; readonly expires: number }
            | undefined
          while (outcome === undefined) {
            const left = deadline - (yield* Clock.currentTimeMillis)
            if (left <= 0) {
              return yield* answered
                ? new CoordinationTimeout({ operation: "lock", name: lock, timeout: wait })
                : new QuorumUnavailable({ group: "lock", operation: "lock", timeout: wait })
            }
            const asked = members[target % size] ?? "replica-0"
            yield* endpoint.send(net.real(asked), { _tag: "Acquire", lock, ttl, id })
            const batch = Option.getOrElse(
              yield* Effect.timeoutOption(endpoint.receive, Math.min(retry, left)),
              () => []
            )
            let hint: string | undefined
            for (const { from, message: m } of batch) {
              if (isLockMessage(m) && m._tag === "Granted" && m.id === id)
                outcome = { ...m, from: memberOf(from) ?? asked }
              else if (isLockMessage(m) && m._tag === "Busy" && m.id === id) outcome = m
              else if (isLockOverloaded(m) && m.id === id)
                return yield* new Overloaded({ group: "lock", operation: "lock", maxLog: m.maxLog })
              else if (isLockRedirect(m) && m.id === id) hint = m.leader ?? hint
            }
            if (outcome === undefined) {
              // Redirected: go to the leader named; silence or no name: try the next replica.
              const named = hint === undefined ? -1 : members.indexOf(hint)
              target = named >= 0 && named !== target % size ? named : target + 1
            }
          }
          const now = yield* Clock.currentTimeMillis
          if (outcome._tag === "Granted") {
            const grant: RaftGrant = {
              lock,
              token: outcome.token,
              until: leaseUntil(sentAt, ttl),
              leader: outcome.from,
              expires: outcome.expires
            }
            if (grant.until > now) return grant
            // Arrived after its lease ended: no lease. Give it back and ask again.
            yield* release(endpoint, grant)
            continue
          }
          answered = true
          // Event-driven: wake when a release of this lock is acknowledged here, or when the lease ends.
          yield* options.signal.wait(lock, seen, Math.min(outcome.expires - now, deadline - now))
        }
      })

    const release = (endpoint: Endpoint, grant: RaftGrant): Effect.Effect<void> =>
      Effect.gen(function* () {
        const id = releaseId(grant.lock, grant.token)
        let to = grant.leader
        while ((yield* Clock.currentTimeMillis) < grant.expires) {
          yield* endpoint.send(net.real(to), { _tag: "Release", lock: grant.lock, token: grant.token })
          const batch = Option.getOrElse(yield* Effect.timeoutOption(endpoint.receive, retry), () => [])
          let hint: string | undefined
          for (const { message: m } of batch) {
            if (isLockReleased(m) && m.lock === grant.lock && m.token === grant.token)
              return yield* options.signal.wake(grant.lock)
            if (isLockRedirect(m) && m.id === id) hint = m.leader ?? hint
          }
          // Redirected: the leader named; silence: the next replica.
          to =
            hint !== undefined && members.includes(hint) && hint !== to
              ? hint
              : (members[(members.indexOf(to) + 1) % size] ?? to)
        }
      })

    return { acquire, release, view }
  })
