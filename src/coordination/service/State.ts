/**
 * The read-only view of a `Coordination` service (`Coordination.state`): held leases, election
 * groups with their leader and term, Raft groups (propose groups and the replicated lock) with
 * their leader, term and commit index, and the participant fibers. Every part is read from state
 * the service already keeps (the leases it handed out, the last state each protocol node
 * reported), so taking a view sends no message and costs O(groups × members).
 *
 * A view is a picture from one process: a leader shown is the member that believes it leads
 * (elections: with an unexpired lease at `at`; Raft: the running replica in the leader role with
 * the highest term). It is meant for dashboards and operations, not for making decisions — use
 * `Candidacy.isLeader` and `Lease.check` for that.
 *
 * @since 0.1.0
 */
import type { Schema } from "effect"
import type { ParticipantStatus } from "./Participants.ts"

/**
 * A lease handed out by `Coordination.lock` whose holder's scope is still open.
 *
 * @since 0.1.0
 * @category models
 */
export interface LockView {
  /** The lock's name. */
  readonly name: string
  /** The lease's fencing token (strictly increasing per service). */
  readonly token: number
  /** Until when the holder may rely on the lease (clock ms). */
  readonly until: number
  /** `until` has passed at the view's `at`: the holder must stop relying on it; another caller may get the lock. */
  readonly expired: boolean
  /** The `holder` label passed to `lock`, else the caller's client endpoint id. */
  readonly holder: string
}

/**
 * One seat of an election group.
 *
 * @since 0.1.0
 * @category models
 */
export interface SeatView {
  /** The seat's member name (`seat-0`, ...). */
  readonly member: string
  /** The `holder` label passed to `elect`, else `undefined`; absent when the seat is free. */
  readonly holder?: string
  /** Whether a caller's scope holds the seat. */
  readonly taken: boolean
  /** The seat's role in the election (`follower` when free or not started). */
  readonly role: "follower" | "candidate" | "leader"
  /** The highest term the seat has seen. */
  readonly term: number
}

/**
 * One election group (`Coordination.elect`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ElectionView {
  readonly group: string
  /** The seat holding an unexpired leadership lease at `at`, if any. */
  readonly leader: string | undefined
  /** That seat's `holder` label, if it has one. */
  readonly leaderHolder: string | undefined
  /** The leader's term, or the highest term any seat has seen when there is no leader. */
  readonly term: number
  /** The end of the leader's lease (0 without a leader). */
  readonly leaseUntil: number
  readonly seats: ReadonlyArray<SeatView>
}

/**
 * One Raft replica as it last reported itself.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReplicaView {
  /** The replica's member name (`replica-0`, ...). */
  readonly member: string
  /** Whether its participant fiber runs (a crashed replica keeps its last reported term). */
  readonly up: boolean
  readonly role: "follower" | "candidate" | "leader"
  readonly term: number
  /** The highest log index it knows committed. */
  readonly commitIndex: number
}

/**
 * A Raft group: its leader, term, commit index and replicas.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftGroupView {
  /** The running replica in the leader role with the highest term, if any. */
  readonly leader: string | undefined
  /** The highest term among the replicas. */
  readonly term: number
  /** The highest commit index among the replicas. */
  readonly commitIndex: number
  readonly replicas: ReadonlyArray<ReplicaView>
}

/**
 * A propose group (`Coordination.propose`): its Raft group and, once decided, the decision.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConsensusView extends RaftGroupView {
  readonly group: string
  /** The group's decision (absent until the first value commits). */
  readonly decided?: Schema.Json
}

/**
 * Everything `Coordination.state` shows at one instant.
 *
 * @since 0.1.0
 * @category models
 */
export interface CoordinationState {
  /** The clock reading the view was taken at (ms). */
  readonly at: number
  /** Who serves `lock`: one owner, or Raft replicas. */
  readonly lockMode: "owner" | "raft"
  /** Leases whose holder's scope is open, by name then token. */
  readonly locks: ReadonlyArray<LockView>
  /** The last fencing token this service handed out (0 before the first lease). */
  readonly lastToken: number
  /** The replicated lock's Raft group (`lockMode: "raft"` only). */
  readonly lockGroup?: RaftGroupView
  /** Election groups, in order of first use. */
  readonly elections: ReadonlyArray<ElectionView>
  /** Propose groups, in order of first use. */
  readonly consensus: ReadonlyArray<ConsensusView>
  /** The participant fibers (lock owner or replicas, propose replicas, counter owners). */
  readonly participants: ReadonlyArray<ParticipantStatus>
}

/**
 * What a Raft replica reports after each step (the parts the view needs).
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftReport {
  readonly role: "follower" | "candidate" | "leader"
  readonly term: number
  readonly commitIndex: number
}

/**
 * The view of a Raft group whose replicas run as participants `${prefix}/${member}`: joins the
 * last report of each member with whether its participant is up.
 *
 * @since 0.1.0
 * @category utils
 */
export const raftGroupView = (
  members: ReadonlyArray<string>,
  reports: ReadonlyMap<string, RaftReport>,
  participants: ReadonlyArray<ParticipantStatus>,
  prefix: string
): RaftGroupView => {
  const up = new Map(participants.map((p) => [p.name, p.up]))
  const replicas = members.map((member): ReplicaView => {
    const report = reports.get(member)
    return {
      member,
      up: up.get(`${prefix}/${member}`) ?? false,
      role: report?.role ?? "follower",
      term: report?.term ?? 0,
      commitIndex: report?.commitIndex ?? 0
    }
  })
  let leader: ReplicaView | undefined
  for (const r of replicas)
    if (r.up && r.role === "leader" && (leader === undefined || r.term > leader.term)) leader = r
  return {
    leader: leader?.member,
    term: Math.max(0, ...replicas.map((r) => r.term)),
    commitIndex: Math.max(0, ...replicas.map((r) => r.commitIndex)),
    replicas
  }
}
