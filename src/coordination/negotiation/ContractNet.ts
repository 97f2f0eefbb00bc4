/**
 * Contract-net (call for proposals → bids → award) as pure step functions, with deadlines.
 *
 * The manager announces a task to every contractor (resent to silent ones every `retry` ms) and
 * collects bids until `bidDeadline` ms after the announcement, or until every contractor bid.
 * It awards the task to the lowest price (ties: the lowest node name) and tells the other bidders
 * they lost; it resends the award until the winner accepts or `awardDeadline` passes (then it
 * reports the award unconfirmed: the task is never awarded twice). No bids: `NoBids`.
 * Bids after the deadline, for another task, or from outside the contractors are ignored.
 *
 * The manager runs `tasks` tasks in a row, `gap` ms apart, and persists only the last task number.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import { emit, type Event, type Output, type Protocol, send, setTimer, type Step } from "../Protocol.ts"

/**
 * Messages between a manager and contractors.
 *
 * @since 0.1.0
 * @category models
 */
export type ContractMessage =
  | { readonly _tag: "Announce"; readonly task: number; readonly closesAt: number }
  | { readonly _tag: "Bid"; readonly task: number; readonly price: number }
  | { readonly _tag: "Award"; readonly task: number; readonly price: number }
  | { readonly _tag: "Lost"; readonly task: number }
  | { readonly _tag: "Accepted"; readonly task: number }

/**
 * A bid as the manager recorded it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Bid {
  readonly contractor: string
  readonly price: number
}

/**
 * The manager's configuration. Contractors are addressed `{ node, id: service }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ManagerConfig {
  readonly contractors: ReadonlyArray<string>
  readonly service: string
  readonly bidDeadline: number
  readonly awardDeadline: number
  readonly retry: number
  readonly tasks: number
  readonly gap: number
  /** Deliberately broken: award to the first bidder. Never set in production. */
  readonly unsafeFirstBid?: boolean
}

/**
 * The manager's state.
 *
 * @since 0.1.0
 * @category models
 */
export interface ManagerState {
  readonly config: ManagerConfig
  readonly task: number
  readonly phase: "idle" | "bidding" | "awarding"
  readonly announcedAt: number
  readonly bids: ReadonlyArray<Bid>
  readonly winner: Bid | undefined
}

/**
 * What the manager reports.
 *
 * @since 0.1.0
 * @category models
 */
export type ManagerEmit =
  | { readonly _tag: "Awarded"; readonly task: number; readonly winner: Bid; readonly bids: ReadonlyArray<Bid> }
  | { readonly _tag: "Confirmed"; readonly task: number; readonly winner: Bid }
  | { readonly _tag: "Unconfirmed"; readonly task: number; readonly winner: Bid }
  | { readonly _tag: "NoBids"; readonly task: number }

type Out = Output<ContractMessage, ManagerEmit>

/**
 * The best bid: lowest price, ties to the lowest contractor name.
 *
 * @since 0.1.0
 * @category utils
 */
export const bestBid = (bids: ReadonlyArray<Bid>): Bid | undefined =>
  bids.reduce<Bid | undefined>(
    (best, b) =>
      best === undefined || b.price < best.price || (b.price === best.price && b.contractor < best.contractor)
        ? b
        : best,
    undefined
  )

const to = (s: ManagerState, node: string): Address => ({ node, id: s.config.service })

const announce = (s: ManagerState, now: number, out: Array<Out>): ManagerState => {
  const next: ManagerState = { ...s, task: s.task + 1, phase: "bidding", announcedAt: now, bids: [], winner: undefined }
  for (const c of s.config.contractors)
    out.push(send(to(s, c), { _tag: "Announce", task: next.task, closesAt: now + s.config.bidDeadline }))
  out.push(setTimer("bids", now + s.config.bidDeadline), setTimer("retry", now + s.config.retry))
  return next
}

const finish = (s: ManagerState, now: number, out: Array<Out>): ManagerState => {
  out.push({ _tag: "CancelTimer", key: "retry" }, { _tag: "CancelTimer", key: "award" })
  if (s.task < s.config.tasks) out.push(setTimer("next", now + s.config.gap))
  return { ...s, phase: "idle" }
}

const award = (s: ManagerState, now: number, out: Array<Out>): ManagerState => {
  out.push({ _tag: "CancelTimer", key: "bids" })
  const winner = s.config.unsafeFirstBid === true ? s.bids[0] : bestBid(s.bids)
  if (winner === undefined) {
    out.push(emit({ _tag: "NoBids", task: s.task }))
    return finish(s, now, out)
  }
  out.push(
    emit({ _tag: "Awarded", task: s.task, winner, bids: s.bids }),
    send(to(s, winner.contractor), { _tag: "Award", task: s.task, price: winner.price })
  )
  for (const b of s.bids)
    if (b.contractor !== winner.contractor) out.push(send(to(s, b.contractor), { _tag: "Lost", task: s.task }))
  out.push(
    setTimer("award", s.announcedAt + s.config.bidDeadline + s.config.awardDeadline),
    setTimer("retry", now + s.config.retry)
  )
  return { ...s, phase: "awarding", winner }
}

/**
 * One manager step. Pure and total.
 *
 * @since 0.1.0
 * @category utils
 */
export const managerStep = (
  s: ManagerState,
  e: Event<ContractMessage>
): Step<ManagerState, ContractMessage, ManagerEmit> => {
  const out: Array<Out> = []
  if (e._tag === "Start") return { state: s.task < s.config.tasks ? announce(s, e.now, out) : s, outputs: out }
  if (e._tag === "Timer") {
    if (e.key === "next" && s.phase === "idle") return { state: announce(s, e.now, out), outputs: out }
    if (e.key === "bids" && s.phase === "bidding") return { state: award(s, e.now, out), outputs: out }
    if (e.key === "award" && s.phase === "awarding" && s.winner !== undefined) {
      out.push(emit({ _tag: "Unconfirmed", task: s.task, winner: s.winner }))
      return { state: finish(s, e.now, out), outputs: out }
    }
    if (e.key === "retry" && s.phase === "bidding") {
      for (const c of s.config.contractors) {
        if (!s.bids.some((b) => b.contractor === c))
          out.push(send(to(s, c), { _tag: "Announce", task: s.task, closesAt: s.announcedAt + s.config.bidDeadline }))
      }
    }
    if (e.key === "retry" && s.phase === "awarding" && s.winner !== undefined) {
      out.push(send(to(s, s.winner.contractor), { _tag: "Award", task: s.task, price: s.winner.price }))
    }
    if (e.key === "retry" && s.phase !== "idle") out.push(setTimer("retry", e.now + s.config.retry))
    return { state: s, outputs: out }
  }
  const m = e.message
  const from = e.from.node
  if (m.task !== s.task || !s.config.contractors.includes(from)) return { state: s, outputs: [] }
  if (
    m._tag === "Bid" &&
    s.phase === "bidding" &&
    e.now < s.announcedAt + s.config.bidDeadline &&
    !s.bids.some((b) => b.contractor === from)
  ) {
    const next = { ...s, bids: [...s.bids, { contractor: from, price: m.price }] }
    return { state: next.bids.length === s.config.contractors.length ? award(next, e.now, out) : next, outputs: out }
  }
  if (m._tag === "Accepted" && s.phase === "awarding" && s.winner?.contractor === from) {
    out.push(emit({ _tag: "Confirmed", task: s.task, winner: s.winner }))
    return { state: finish(s, e.now, out), outputs: out }
  }
  return { state: s, outputs: [] }
}

/**
 * A contractor's state: what it charges, and the tasks it was awarded (the last `keep`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ContractorState {
  readonly won: ReadonlyArray<{ readonly task: number; readonly price: number }>
  readonly keep: number
}

/**
 * One contractor step: bids `price(task)` (or stays silent when it is `undefined`) while the call
 * is open by its own clock, and accepts an award.
 *
 * @since 0.1.0
 * @category utils
 */
export const contractorStep =
  (price: (task: number) => number | undefined) =>
  (s: ContractorState, e: Event<ContractMessage>): Step<ContractorState, ContractMessage, never> => {
    if (e._tag !== "Receive") return { state: s, outputs: [] }
    const m = e.message
    if (m._tag === "Announce") {
      const p = price(m.task)
      return {
        state: s,
        outputs: p === undefined || e.now >= m.closesAt ? [] : [send(e.from, { _tag: "Bid", task: m.task, price: p })]
      }
    }
    if (m._tag !== "Award") return { state: s, outputs: [] }
    const won = s.won.some((w) => w.task === m.task)
      ? s.won
      : [...s.won, { task: m.task, price: m.price }].slice(-s.keep)
    return { state: { ...s, won }, outputs: [send(e.from, { _tag: "Accepted", task: m.task })] }
  }

/**
 * Structural check of an inbound contract-net message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isContractMessage = (u: unknown): u is ContractMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  if (typeof o["task"] !== "number" || !Number.isSafeInteger(o["task"])) return false
  switch (o["_tag"]) {
    case "Announce":
      return typeof o["closesAt"] === "number"
    case "Bid":
    case "Award":
      return typeof o["price"] === "number" && Number.isFinite(o["price"])
    case "Lost":
    case "Accepted":
      return true
    default:
      return false
  }
}

/**
 * A manager as a `Protocol`; persists the last task number.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeManager = (config: ManagerConfig): Protocol<ManagerState, ContractMessage, number, ManagerEmit> => ({
  name: config.service,
  init: (_self, persisted) => ({
    config,
    task: persisted ?? 0,
    phase: "idle",
    announcedAt: 0,
    bids: [],
    winner: undefined
  }),
  step: managerStep,
  persist: (s) => s.task,
  isMessage: isContractMessage
})
