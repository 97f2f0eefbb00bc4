/**
 * PBFT's data: configuration, signed messages, per-sequence slots, replica state, emitted events.
 *
 * Every replica message names its signer (`replica`) and carries its signature (`sig`) over the
 * canonical JSON of the rest of the message; the receiver checks it before use and ignores the
 * network's sender address, so a message can be relayed (certificates) but not forged.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import type { PbftAuth } from "./auth.ts"

/**
 * A PBFT group: `replicas.length >= 3f + 1`; the primary of view `v` is `replicas[v mod n]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PbftConfig {
  readonly replicas: ReadonlyArray<string>
  readonly f: number
  /** Endpoint id of PBFT on each replica and client (default `"pbft"`). */
  readonly service: string
  /** At most this many sequence numbers in flight beyond the last committed one. */
  readonly window: number
  /** Slots kept (committed ones below the stable checkpoint beyond this are forgotten, oldest first). */
  readonly keep: number
  /**
   * Every `resend` ms a replica resends its votes on the slots it has not committed (or its
   * view-change) and asks for the votes from its first uncommitted slot on (`Fetch`).
   */
  readonly resend: number
  /** Base view-change timeout, ms: a request pending this long moves to the next view (doubles per failed view). */
  readonly viewTimeout: number
  /** A checkpoint every `checkpointInterval` committed sequence numbers. */
  readonly checkpointInterval: number
  /** Requests a replica remembers while they wait to commit (more are ignored until some commit). */
  readonly maxPending: number
  /** Deliberately broken: a quorum other than 2f + 1. Never set in production. */
  readonly unsafeQuorum?: number | undefined
  /** Deliberately broken: never leave the view (no view change). Never set in production. */
  readonly unsafeNoViewChange?: boolean | undefined
}

/**
 * A client request: `value` identifies it (unique per request), signed by `client`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientRequest {
  readonly client: string
  readonly value: string
  readonly sig: string
}

/**
 * The primary orders `request` at `seq` in `view` (`null`: the no-op a new view fills gaps with).
 *
 * @since 0.1.0
 * @category models
 */
export interface PrePrepare {
  readonly _tag: "PrePrepare"
  readonly view: number
  readonly seq: number
  readonly request: ClientRequest | null
  readonly replica: string
  readonly sig: string
}

/**
 * A backup accepted the pre-prepare of `value` (`NULL_VALUE` for the no-op).
 *
 * @since 0.1.0
 * @category models
 */
export interface Prepare {
  readonly _tag: "Prepare"
  readonly view: number
  readonly seq: number
  readonly value: string
  readonly replica: string
  readonly sig: string
}

/**
 * A replica prepared `value` at `seq` in `view`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Commit {
  readonly _tag: "Commit"
  readonly view: number
  readonly seq: number
  readonly value: string
  readonly replica: string
  readonly sig: string
}

/**
 * A replica committed every sequence number up to `seq`; `digest` hashes their values in order.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checkpoint {
  readonly _tag: "Checkpoint"
  readonly seq: number
  readonly digest: string
  readonly replica: string
  readonly sig: string
}

/**
 * Proof that `value` was prepared at `seq` in `view`: the pre-prepare and 2f matching prepares of backups.
 *
 * @since 0.1.0
 * @category models
 */
export interface PreparedCert {
  readonly prePrepare: PrePrepare
  readonly prepares: ReadonlyArray<Prepare>
}

/**
 * A stable checkpoint and its proof (2f + 1 matching `Checkpoint`s; empty for the genesis, seq 0).
 *
 * @since 0.1.0
 * @category models
 */
export interface StableCheckpoint {
  readonly seq: number
  readonly digest: string
  readonly proof: ReadonlyArray<Checkpoint>
}

/**
 * A replica moves to `view`: its stable checkpoint and every slot it prepared beyond it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ViewChange {
  readonly _tag: "ViewChange"
  readonly view: number
  readonly stable: StableCheckpoint
  readonly prepared: ReadonlyArray<PreparedCert>
  readonly replica: string
  readonly sig: string
}

/**
 * The primary of `view` starts it: 2f + 1 view-changes and the pre-prepares they determine.
 *
 * @since 0.1.0
 * @category models
 */
export interface NewView {
  readonly _tag: "NewView"
  readonly view: number
  readonly viewChanges: ReadonlyArray<ViewChange>
  readonly prePrepares: ReadonlyArray<PrePrepare>
  readonly replica: string
  readonly sig: string
}

/**
 * A replica behind asks for the votes from `seq` on (and the new-view of a later view).
 *
 * @since 0.1.0
 * @category models
 */
export interface Fetch {
  readonly _tag: "Fetch"
  readonly seq: number
  readonly view: number
  readonly replica: string
  readonly sig: string
}

/**
 * A replica tells a client that its request committed at `seq`; f + 1 matching replies settle it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reply {
  readonly _tag: "Reply"
  readonly seq: number
  readonly value: string
  readonly replica: string
  readonly sig: string
}

/**
 * A message a replica signs.
 *
 * @since 0.1.0
 * @category models
 */
export type ReplicaMessage = PrePrepare | Prepare | Commit | Checkpoint | ViewChange | NewView | Fetch | Reply

/**
 * PBFT messages: `Request` from clients (to every replica), the rest signed by replicas.
 *
 * @since 0.1.0
 * @category models
 */
export type PbftMessage = { readonly _tag: "Request"; readonly request: ClientRequest } | ReplicaMessage

/**
 * What a replica knows of one sequence number.
 *
 * @since 0.1.0
 * @category models
 */
export interface Slot {
  /** The view of `prePrepare` and of the prepare votes. */
  readonly view: number
  /** The pre-prepare accepted in `view` (the first one; a different one is ignored). */
  readonly prePrepare: PrePrepare | undefined
  /** Prepares of `view`, first one per replica. */
  readonly prepares: Readonly<Record<string, Prepare>>
  /** Commits by view and value, one per replica (an equivocating replica's votes for two values both count). */
  readonly commits: Readonly<Record<number, Readonly<Record<string, Readonly<Record<string, Commit>>>>>>
  /** The latest prepared certificate (kept across views: the view change carries it). */
  readonly prepared: PreparedCert | undefined
  /** The committed value and the 2f + 1 commits that prove it. */
  readonly committed: string | undefined
  readonly commitCert: ReadonlyArray<Commit>
}

/**
 * A replica's state. `auth` is its key (not persisted: `init` gets it again).
 *
 * @since 0.1.0
 * @category models
 */
export interface PbftState {
  readonly self: Address
  readonly config: PbftConfig
  readonly auth: PbftAuth
  readonly view: number
  /** `changing`: the replica sent a view-change for `view` and waits for its new-view. */
  readonly status: "normal" | "changing"
  /** The last sequence number assigned (the primary's counter). */
  readonly seq: number
  readonly slots: Readonly<Record<number, Slot>>
  /** Every sequence number up to this one is committed here. */
  readonly committedUpTo: number
  /** Hash of the committed values up to `committedUpTo`, in order. */
  readonly chain: string
  /** The latest stable checkpoint (the low-water mark). */
  readonly stable: StableCheckpoint
  /** Checkpoint votes above the stable one, by sequence number, first one per replica. */
  readonly checkpoints: Readonly<Record<number, Readonly<Record<string, Checkpoint>>>>
  /** Client requests seen and not yet committed here, by value. */
  readonly pending: Readonly<Record<string, ClientRequest>>
  /** Valid view-changes by view and replica (this one's own included), views within n below and 2n above `view`. */
  readonly viewChanges: Readonly<Record<number, Readonly<Record<string, ViewChange>>>>
  /** The new-view that started `view` (undefined for view 0). */
  readonly newView: NewView | undefined
  /** When the view-change timer fires (undefined: not running). */
  readonly timerAt: number | undefined
  /** The current view-change timeout (doubles per view change without progress). */
  readonly timeout: number
}

/**
 * What a crash keeps: everything but the key.
 *
 * @since 0.1.0
 * @category models
 */
export type PbftPersisted = Omit<PbftState, "auth">

/**
 * Reported to the host: a value committed at a sequence number (`NULL_VALUE` for a no-op), and view changes.
 *
 * @since 0.1.0
 * @category models
 */
export type PbftEmit =
  | { readonly _tag: "Committed"; readonly seq: number; readonly value: string }
  | { readonly _tag: "ViewChanged"; readonly view: number }
