/**
 * Alternating-offers bargaining over a price, with a deadline, as a pure step function.
 *
 * A buyer and a seller alternate offers; the buyer opens (round 0). Each concedes with time from
 * its `initial` price toward its `reservation` (`offerAt`: the price it offers `t` ms in, with
 * concession shape `beta`: < 1 holds firm, > 1 concedes early). A party accepts the other's offer
 * when it is at least as good as its own next offer would be, never beyond its reservation. The
 * last message is resent every `retry` ms (messages may be lost); stale rounds are ignored and a
 * repeated offer already accepted is answered with the same acceptance. At the deadline a party
 * without a deal stops (`NoAgreement`); nothing is offered or accepted after it.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import { emit, type Event, type Output, type Protocol, send, setTimer, type Step } from "../Protocol.ts"

/**
 * Messages between the two parties.
 *
 * @since 0.1.0
 * @category models
 */
export type BargainMessage =
  | { readonly _tag: "Offer"; readonly round: number; readonly price: number }
  | { readonly _tag: "Accept"; readonly round: number; readonly price: number }

/**
 * One party's strategy. The deadline is absolute (same clock as events).
 *
 * @since 0.1.0
 * @category models
 */
export interface Bargainer {
  readonly role: "buyer" | "seller"
  readonly initial: number
  readonly reservation: number
  readonly beta: number
  readonly start: number
  readonly deadline: number
  readonly retry: number
  readonly peer: Address
  /** Deliberately broken: accept any offer. Never set in production. */
  readonly unsafeAcceptAnything?: boolean
}

/**
 * A party's state.
 *
 * @since 0.1.0
 * @category models
 */
export interface BargainState {
  readonly me: Bargainer
  /** The last round sent or answered, and the message to resend. */
  readonly round: number
  readonly last: BargainMessage | undefined
  readonly deal: { readonly round: number; readonly price: number } | undefined
  readonly over: boolean
}

/**
 * What a party reports.
 *
 * @since 0.1.0
 * @category models
 */
export type BargainEmit =
  | { readonly _tag: "Agreed"; readonly round: number; readonly price: number }
  | { readonly _tag: "NoAgreement"; readonly round: number }

type Out = Output<BargainMessage, BargainEmit>

/**
 * The price `b` offers at time `now` (clamped to `[start, deadline]`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const offerAt = (b: Bargainer, now: number): number => {
  const span = Math.max(1, b.deadline - b.start)
  const t = Math.min(1, Math.max(0, (now - b.start) / span))
  return b.initial + (b.reservation - b.initial) * Math.pow(t, 1 / b.beta)
}

/**
 * Whether `b` accepts `price` at `now`: no worse than its own next offer, within its reservation.
 *
 * @since 0.1.0
 * @category utils
 */
export const acceptable = (b: Bargainer, price: number, now: number): boolean => {
  if (b.unsafeAcceptAnything === true) return true
  const mine = offerAt(b, now)
  return b.role === "buyer" ? price <= mine && price <= b.reservation : price >= mine && price >= b.reservation
}

/**
 * One party step. Pure and total.
 *
 * @since 0.1.0
 * @category utils
 */
export const bargainStep = (
  s: BargainState,
  e: Event<BargainMessage>
): Step<BargainState, BargainMessage, BargainEmit> => {
  const out: Array<Out> = []
  const { me } = s
  if (s.over) {
    if (e._tag === "Receive" && e.message._tag === "Offer" && s.deal?.round === e.message.round && s.last !== undefined)
      out.push(send(e.from, s.last))
    return { state: s, outputs: out }
  }
  if (e.now >= me.deadline) {
    out.push(emit({ _tag: "NoAgreement", round: s.round }), { _tag: "CancelTimer", key: "retry" })
    return { state: { ...s, over: true }, outputs: out }
  }
  const say = (message: BargainMessage, next: BargainState): Step<BargainState, BargainMessage, BargainEmit> => {
    out.push(send(me.peer, message), setTimer("retry", e.now + me.retry))
    return { state: { ...next, last: message }, outputs: out }
  }
  switch (e._tag) {
    case "Start":
      out.push(setTimer("deadline", me.deadline))
      if (me.role === "buyer" && s.last === undefined)
        return say({ _tag: "Offer", round: 0, price: offerAt(me, e.now) }, s)
      if (s.last !== undefined) return say(s.last, s)
      return { state: s, outputs: out }
    case "Timer":
      if (e.key === "retry" && s.last !== undefined) return say(s.last, s)
      return { state: s, outputs: out }
    case "Receive": {
      const m = e.message
      if (m._tag === "Accept") {
        if (s.last?._tag !== "Offer" || m.round !== s.last.round || m.price !== s.last.price)
          return { state: s, outputs: [] }
        out.push(
          emit({ _tag: "Agreed", round: m.round, price: m.price }),
          { _tag: "CancelTimer", key: "retry" },
          { _tag: "CancelTimer", key: "deadline" }
        )
        return { state: { ...s, deal: { round: m.round, price: m.price }, over: true }, outputs: out }
      }
      const expected = s.last === undefined ? 0 : s.round + 1
      if (m.round !== expected) return { state: s, outputs: [] }
      if (acceptable(me, m.price, e.now)) {
        const accept: BargainMessage = { _tag: "Accept", round: m.round, price: m.price }
        out.push(
          send(me.peer, accept),
          emit({ _tag: "Agreed", round: m.round, price: m.price }),
          { _tag: "CancelTimer", key: "retry" },
          {
            _tag: "CancelTimer",
            key: "deadline"
          }
        )
        return {
          state: { ...s, round: m.round, last: accept, deal: { round: m.round, price: m.price }, over: true },
          outputs: out
        }
      }
      return say({ _tag: "Offer", round: m.round + 1, price: offerAt(me, e.now) }, { ...s, round: m.round + 1 })
    }
  }
}

/**
 * Structural check of an inbound bargaining message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isBargainMessage = (u: unknown): u is BargainMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  return (
    (o["_tag"] === "Offer" || o["_tag"] === "Accept") &&
    typeof o["round"] === "number" &&
    Number.isSafeInteger(o["round"]) &&
    typeof o["price"] === "number" &&
    Number.isFinite(o["price"])
  )
}

/**
 * A bargaining party as a `Protocol` (endpoint id `service`); persists its whole state.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeBargainer = (
  me: Bargainer,
  service = "bargain"
): Protocol<BargainState, BargainMessage, BargainState, BargainEmit> => ({
  name: service,
  init: (_self, persisted) => persisted ?? { me, round: 0, last: undefined, deal: undefined, over: false },
  step: bargainStep,
  persist: (s) => s,
  isMessage: isBargainMessage
})
