/**
 * Leader election's data: configuration, messages, persisted and volatile state, emitted events.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"

/**
 * Timing of the election (simulated or real ms) and the fixed membership.
 *
 * @since 0.1.0
 * @category models
 */
export interface ElectionConfig {
  /** The group's nodes; every node runs the endpoint `service`. */
  readonly members: ReadonlyArray<string>
  /** Endpoint id of the election on each node (default `"election"`). */
  readonly service: string
  /** How long a vote or a renewal promises a leader exclusivity; a leader's lease is at most this long. */
  readonly lease: number
  /**
   * How long a vote promises the candidate (default 100 ms): the first lease of a new leader.
   * Short, so a split vote blocks voters only briefly; the first renewal extends it to `lease`.
   */
  readonly voteLease: number
  /** The leader asks a majority to renew its lease every `renew` ms (well below `lease`). */
  readonly renew: number
  /** A follower campaigns after a random timeout in `[electionMin, electionMax)` without renewals. */
  readonly electionMin: number
  readonly electionMax: number
  /** Deliberately broken variants, for proving the checker. Never set in production. */
  readonly unsafe?: { readonly ignorePromise?: boolean } | undefined
}

/**
 * Election messages between members.
 *
 * @since 0.1.0
 * @category models
 */
export type ElectionMessage =
  | { readonly _tag: "RequestVote"; readonly term: number }
  | { readonly _tag: "Vote"; readonly term: number; readonly granted: boolean }
  | { readonly _tag: "Renew"; readonly term: number; readonly round: number }
  | { readonly _tag: "RenewAck"; readonly term: number; readonly round: number }

/**
 * What survives a crash: the term, the vote, and the promise given (to whom, until when).
 *
 * @since 0.1.0
 * @category models
 */
export interface ElectionPersisted {
  readonly term: number
  readonly votedFor: string | undefined
  readonly promisedTo: string | undefined
  readonly promisedUntil: number
}

/**
 * One renewal round of a leader: when it was sent (the lease runs from there), who acknowledged.
 *
 * @since 0.1.0
 * @category models
 */
export interface RenewRound {
  readonly round: number
  readonly sentAt: number
  readonly acks: ReadonlyArray<string>
}

/**
 * A member's whole state. `leaseUntil` is meaningful for a leader only.
 *
 * @since 0.1.0
 * @category models
 */
export interface ElectionState extends ElectionPersisted {
  readonly self: Address
  readonly config: ElectionConfig
  readonly role: "follower" | "candidate" | "leader"
  readonly leader: string | undefined
  readonly votes: ReadonlyArray<string>
  readonly campaignAt: number
  readonly leaseUntil: number
  readonly round: number
  /** The last few renewal rounds still awaiting acknowledgements (at most 4). */
  readonly rounds: ReadonlyArray<RenewRound>
}

/**
 * Reported to the host: leadership gained (with its lease) and lost.
 *
 * @since 0.1.0
 * @category models
 */
export type ElectionEmit =
  | { readonly _tag: "Elected"; readonly term: number; readonly until: number }
  | { readonly _tag: "SteppedDown"; readonly term: number }
