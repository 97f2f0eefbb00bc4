/**
 * PBFT's data: configuration, messages, per-sequence slots, replica state, emitted events.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"

/** A PBFT group: `replicas.length >= 3f + 1`, a fixed `primary` (view 0; no view change). */
export interface PbftConfig {
  readonly replicas: ReadonlyArray<string>
  readonly f: number
  readonly primary: string
  /** Endpoint id of PBFT on each replica (default `"pbft"`). */
  readonly service: string
  /** At most this many sequence numbers in flight beyond the last committed one. */
  readonly window: number
  /** Slots kept (committed ones beyond this are forgotten, oldest first). */
  readonly keep: number
  /**
   * Every `resend` ms a replica resends its votes on the slots it has not committed and asks for
   * for the votes from the first of them on (`Fetch`); replicas answer with their votes.
   */
  readonly resend: number
  /** Deliberately broken: a quorum other than 2f + 1. Never set in production. */
  readonly unsafeQuorum?: number | undefined
}

/** PBFT messages. `Request` comes from clients (to the primary); the rest between replicas. */
export type PbftMessage =
  | { readonly _tag: "Request"; readonly value: string }
  | { readonly _tag: "PrePrepare"; readonly seq: number; readonly value: string }
  | { readonly _tag: "Prepare"; readonly seq: number; readonly value: string }
  | { readonly _tag: "Commit"; readonly seq: number; readonly value: string }
  /** A replica behind asks for everyone's votes from `seq` (its first uncommitted) on, `window` slots. */
  | { readonly _tag: "Fetch"; readonly seq: number }

/** What a replica knows of one sequence number. */
export interface Slot {
  /** The value the primary pre-prepared (the first one accepted; a later different one is ignored). */
  readonly pre: string | undefined
  readonly prepares: Readonly<Record<string, ReadonlyArray<string>>>
  readonly commits: Readonly<Record<string, ReadonlyArray<string>>>
  readonly prepared: string | undefined
  readonly committed: string | undefined
}

/** A replica's whole state (persisted whole: PBFT's log is durable). */
export interface PbftState {
  readonly self: Address
  readonly config: PbftConfig
  /** The last sequence number the primary assigned. */
  readonly seq: number
  readonly slots: Readonly<Record<number, Slot>>
  /** Every sequence number up to this one is committed here. */
  readonly committedUpTo: number
}

/** Reported to the host: a value committed at a sequence number. */
export type PbftEmit = { readonly _tag: "Committed"; readonly seq: number; readonly value: string }
