/**
 * A counter with exactly-once increments: the deterministic state machine both counter variants
 * apply, and the single-owner variant as a pure step function.
 *
 * A client sends `Increment { client, seq, by }`, one at a time per client, with `seq` increasing
 * by one per new increment, and resends it unchanged until answered `Incremented { client, seq,
 * value }`. The state machine keeps, per client, the last `seq` applied and its result (a session,
 * as in the Raft paper §8), so a resent or duplicated increment is applied once and answered with
 * the same value. Sessions are bounded by `maxClients`: a new client beyond it is answered
 * `Rejected` (nothing is evicted, so exactly-once is never given up silently).
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import { emit, type Event, type Output, type Protocol, send, type Step } from "../Protocol.ts"

/**
 * An increment as a command: the client's id, its sequence number, the (positive) amount.
 *
 * @since 0.1.0
 * @category models
 */
export interface Increment {
  readonly client: string
  readonly seq: number
  readonly by: number
}

/**
 * Messages between counter clients and a counter (owner or Raft member).
 *
 * @since 0.1.0
 * @category models
 */
export type CounterMessage =
  | ({ readonly _tag: "Increment" } & Increment)
  | { readonly _tag: "Incremented"; readonly client: string; readonly seq: number; readonly value: number }
  | { readonly _tag: "NotLeader"; readonly client: string; readonly seq: number; readonly leader: string | undefined }
  | {
      readonly _tag: "Rejected"
      readonly client: string
      readonly seq: number
      readonly reason: "too-many-clients" | "log-full"
    }

/**
 * The replicated (or owned) state: the value and one session per client.
 *
 * @since 0.1.0
 * @category models
 */
export interface CounterState {
  readonly value: number
  readonly sessions: Readonly<Record<string, { readonly seq: number; readonly value: number }>>
  readonly maxClients: number
}

/**
 * What applying one increment did.
 *
 * @since 0.1.0
 * @category models
 */
export type ApplyResult =
  | { readonly _tag: "Applied"; readonly value: number }
  | { readonly _tag: "Duplicate"; readonly value: number }
  | { readonly _tag: "Stale" }
  | { readonly _tag: "Full" }

/**
 * What a counter reports: each increment it applied (not duplicates), with the new value.
 *
 * @since 0.1.0
 * @category models
 */
export type CounterEmit =
  | { readonly _tag: "Counted"; readonly client: string; readonly seq: number; readonly value: number }
  | { readonly _tag: "BecameLeader"; readonly term: number }

/**
 * An empty counter tracking at most `maxClients` sessions.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyCounter = (maxClients = 10_000): CounterState => ({ value: 0, sessions: {}, maxClients })

/**
 * Applies `cmd` once: a `seq` already applied answers its recorded value (`Duplicate`), an older
 * one is `Stale`; `unsafeNoDedupe` applies everything (a broken variant for the simulator only).
 *
 * @since 0.1.0
 * @category utils
 */
export const applyIncrement = (
  s: CounterState,
  cmd: Increment,
  unsafeNoDedupe = false
): { readonly state: CounterState; readonly result: ApplyResult } => {
  const session = s.sessions[cmd.client]
  if (!unsafeNoDedupe && session !== undefined) {
    if (cmd.seq === session.seq) return { state: s, result: { _tag: "Duplicate", value: session.value } }
    if (cmd.seq < session.seq) return { state: s, result: { _tag: "Stale" } }
  }
  if (session === undefined && Object.keys(s.sessions).length >= s.maxClients)
    return { state: s, result: { _tag: "Full" } }
  const value = s.value + cmd.by
  return {
    state: { ...s, value, sessions: { ...s.sessions, [cmd.client]: { seq: cmd.seq, value } } },
    result: { _tag: "Applied", value }
  }
}

/**
 * The reply to the client for an apply result (`undefined` for a stale increment: no answer).
 *
 * @since 0.1.0
 * @category utils
 */
export const replyFor = (cmd: Increment, result: ApplyResult): CounterMessage | undefined => {
  switch (result._tag) {
    case "Applied":
    case "Duplicate":
      return { _tag: "Incremented", client: cmd.client, seq: cmd.seq, value: result.value }
    case "Full":
      return { _tag: "Rejected", client: cmd.client, seq: cmd.seq, reason: "too-many-clients" }
    case "Stale":
      return undefined
  }
}

/**
 * The owner's step: apply each `Increment` once and answer it. Pure and total.
 *
 * @since 0.1.0
 * @category utils
 */
export const counterOwnerStep =
  (unsafeNoDedupe = false) =>
  (s: CounterState, e: Event<CounterMessage>): Step<CounterState, CounterMessage, CounterEmit> => {
    if (e._tag !== "Receive" || e.message._tag !== "Increment") return { state: s, outputs: [] }
    const cmd = e.message
    const { result, state } = applyIncrement(s, cmd, unsafeNoDedupe)
    const out: Array<Output<CounterMessage, CounterEmit>> = []
    if (result._tag === "Applied")
      out.push(emit({ _tag: "Counted", client: cmd.client, seq: cmd.seq, value: result.value }))
    const reply = replyFor(cmd, result)
    if (reply !== undefined) out.push(send(e.from, reply))
    return { state, outputs: out }
  }

const isCount = (o: Record<string, unknown>, k: string) =>
  typeof o[k] === "number" && Number.isSafeInteger(o[k]) && (o[k] as number) >= 0

/**
 * Structural check of an `Increment` command (`by` a positive safe integer).
 *
 * @since 0.1.0
 * @category guards
 */
export const isIncrement = (u: unknown): u is Increment => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  return typeof o["client"] === "string" && isCount(o, "seq") && isCount(o, "by") && (o["by"] as number) > 0
}

/**
 * Structural check of an inbound counter message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isCounterMessage = (u: unknown): u is CounterMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  switch (o["_tag"]) {
    case "Increment":
      return isIncrement(u)
    case "Incremented":
      return typeof o["client"] === "string" && isCount(o, "seq") && typeof o["value"] === "number"
    case "NotLeader":
      return (
        typeof o["client"] === "string" &&
        isCount(o, "seq") &&
        (o["leader"] === undefined || typeof o["leader"] === "string")
      )
    case "Rejected":
      return (
        typeof o["client"] === "string" &&
        isCount(o, "seq") &&
        (o["reason"] === "too-many-clients" || o["reason"] === "log-full")
      )
    default:
      return false
  }
}

/**
 * Options of the single-owner counter.
 *
 * @since 0.1.0
 * @category models
 */
export interface CounterOwnerOptions {
  /** Endpoint id of the owner (default `"counter"`). */
  readonly service?: string
  /** Sessions kept (default 10 000); new clients beyond it are `Rejected`. */
  readonly maxClients?: number
  /** Deliberately broken: apply resent increments again. Never set in production. */
  readonly unsafeNoDedupe?: boolean
}

/**
 * The single-owner counter as a `Protocol`: linearizable because one node orders every increment;
 * it persists its whole state (a restarted owner keeps value and sessions), and is unavailable
 * while down.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCounterOwner = (
  options: CounterOwnerOptions = {}
): Protocol<CounterState, CounterMessage, CounterState, CounterEmit> => ({
  name: options.service ?? "counter",
  init: (_self: Address, persisted) => persisted ?? emptyCounter(options.maxClients),
  step: counterOwnerStep(options.unsafeNoDedupe === true),
  persist: (s) => s,
  isMessage: isCounterMessage
})
