/**
 * Raft's data: configuration, log entries, messages, persisted and volatile state, emitted events.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import type { RaftLog } from "./RaftLog.ts"

/**
 * Raft timing and bounds (simulated or real ms).
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftConfig {
  /** The cluster's nodes (membership is fixed). Every node runs the endpoint `service` on its node. */
  readonly members: ReadonlyArray<string>
  /** The endpoint id of Raft on each node (default `"raft"`). */
  readonly service: string
  /** Election timeout drawn uniformly in `[electionMin, electionMax)`. */
  readonly electionMin: number
  readonly electionMax: number
  /** Leader heartbeat period; must be well below `electionMin`. */
  readonly heartbeat: number
  /** At most this many entries per AppendEntries message. */
  readonly maxBatch: number
  /** The log holds at most this many entries; proposals beyond it are refused (`LogFull`). */
  readonly maxLog: number
  /** Clients awaiting a commit reply, per leader; the oldest is forgotten beyond this. */
  readonly maxWaiting: number
  /**
   * Pre-vote (Raft thesis §9.6): before starting an election a node asks whether it could win; a
   * node grants only to an up-to-date log and only if it has not heard from a leader within
   * `electionMin`. A node that rejoins with a stale log or an inflated clock cannot depose a
   * healthy leader. Default `true` in `defaultRaftConfig`.
   */
  readonly preVote?: boolean | undefined
  /**
   * Deliberately broken variants, for proving the checkers. Never set in production.
   * `ignoreTerm`: accept stale-term messages. `commitOldTerms`: drop the commit rule's
   * current-term check (a leader commits an older term's entry once a majority holds it:
   * Raft paper, Figure 8).
   */
  readonly unsafe?:
    | { readonly ignoreTerm?: boolean | undefined; readonly commitOldTerms?: boolean | undefined }
    | undefined
}

/**
 * A log entry. `command` is `undefined` for the no-op a new leader appends.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry<C> {
  readonly term: number
  readonly id: string
  readonly command: C | undefined
}

/**
 * Raft's messages, between members and from clients.
 *
 * @since 0.1.0
 * @category models
 */
export type RaftMessage<C> =
  | { readonly _tag: "RequestVote"; readonly term: number; readonly lastIndex: number; readonly lastTerm: number }
  | { readonly _tag: "Vote"; readonly term: number; readonly granted: boolean }
  /** Would you vote for me at `term`? Changes no state at the receiver. */
  | { readonly _tag: "PreVote"; readonly term: number; readonly lastIndex: number; readonly lastTerm: number }
  | { readonly _tag: "PreVoteReply"; readonly term: number; readonly granted: boolean }
  | {
      readonly _tag: "Append"
      readonly term: number
      readonly prevIndex: number
      readonly prevTerm: number
      readonly entries: ReadonlyArray<Entry<C>>
      readonly commit: number
    }
  | { readonly _tag: "AppendReply"; readonly term: number; readonly success: boolean; readonly match: number }
  | { readonly _tag: "Propose"; readonly id: string; readonly command: C }
  /**
   * Many commands in one message: appended as consecutive entries with ids `${id}/0`, `${id}/1`, ...
   * and answered by one `ProposeReply` for `id` whose `index` is the batch's last entry.
   */
  | { readonly _tag: "ProposeBatch"; readonly id: string; readonly commands: ReadonlyArray<C> }
  | {
      readonly _tag: "ProposeReply"
      readonly id: string
      readonly status: "accepted" | "committed" | "not-leader" | "log-full"
      readonly index: number
      readonly leader: string | undefined
    }

/**
 * What survives a crash: term, vote and log.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftPersisted<C> {
  readonly term: number
  readonly votedFor: string | undefined
  /** A persistent log (`RaftLog.from(entries)` builds one). */
  readonly log: RaftLog<C>
}

/**
 * A node's whole state. Log indices start at 1: entry `i` is `log.entry(i)`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftState<C> extends RaftPersisted<C> {
  readonly self: Address
  readonly config: RaftConfig
  readonly role: "follower" | "candidate" | "leader"
  readonly leader: string | undefined
  readonly commitIndex: number
  readonly votes: ReadonlyArray<string>
  /** Candidate only: the peers that refused their vote this term (a majority sends it back to follower). */
  readonly refused: ReadonlyArray<string>
  /** In a pre-vote round for `term + 1`: who granted so far (`undefined` when not in one). */
  readonly preVotes: ReadonlyArray<string> | undefined
  /** When this node last heard from the leader of its term (an accepted Append). */
  readonly heardAt: number
  readonly next: Readonly<Record<string, number>>
  readonly match: Readonly<Record<string, number>>
  /**
   * Leader only: per peer, the last index carried by the latest Append sent to it. The peer is busy
   * while this is above its `match`; the leader then sends no new Append until the reply (or the
   * next heartbeat), so entries proposed meanwhile go out together in one batch.
   */
  readonly inflight: Readonly<Record<string, number>>
  /** Leader only: per peer, the commit index carried by the latest Append sent to it. */
  readonly told: Readonly<Record<string, number>>
  /**
   * Leader only: clients awaiting `committed` for proposal `id`, whose last entry (id `entry`) is
   * at `index`; answered only if that entry is still there when `index` commits.
   */
  readonly waiting: ReadonlyArray<{
    readonly index: number
    readonly id: string
    readonly entry: string
    readonly client: Address
  }>
}

/**
 * Reported to the host: an entry became committed on this node (apply it to the state machine).
 *
 * @since 0.1.0
 * @category models
 */
export type RaftEmit<C> =
  | { readonly _tag: "Applied"; readonly index: number; readonly entry: Entry<C> }
  | { readonly _tag: "BecameLeader"; readonly term: number }
