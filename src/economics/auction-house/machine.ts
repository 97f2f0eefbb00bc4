/**
 * The live auction protocol as one pure step function over every single-item kind, so a driver
 * (the `AuctionHouse` service today, an agent tomorrow) only feeds events and performs outputs.
 *
 * @since 0.1.0
 */
import {
  type AuctionOutput,
  AuctionClosed,
  clockEnd,
  type ClockError,
  type ClockEvent,
  clockInit,
  type ClockState,
  clockStep,
  dutchInit,
  type DutchState,
  dutchStep,
  type EnglishError,
  englishInit,
  type EnglishState,
  englishStep,
  type Outcome,
  proxyInit,
  type ProxyState,
  proxyStep,
  type SealedError,
  sealedInit,
  type SealedState,
  sealedStep
} from "../auctions/index.ts"
import { invariant } from "../../errors/Invariant.ts"
import type { AuctionSpec } from "./schema.ts"

/**
 * The state of one live auction, tagged by kind.
 *
 * @since 0.1.0
 * @category models
 */
export type LiveState =
  | { readonly kind: "english"; readonly state: EnglishState }
  | { readonly kind: "english-proxy"; readonly state: ProxyState }
  | { readonly kind: "english-clock"; readonly state: ClockState }
  | { readonly kind: "dutch"; readonly state: DutchState }
  | { readonly kind: "first-price" | "second-price"; readonly state: SealedState }

/**
 * Every error a live step can reject with.
 *
 * @since 0.1.0
 * @category models
 */
export type LiveError = EnglishError | SealedError | ClockError | AuctionClosed

/**
 * The result of one live step.
 *
 * @since 0.1.0
 * @category models
 */
export interface LiveStep {
  readonly state: LiveState
  readonly outputs: ReadonlyArray<AuctionOutput<LiveError>>
}

/**
 * Builds the initial state of `spec`, opened at `now` (Clock ms).
 *
 * @since 0.1.0
 * @category utils
 */
export const liveInit = (spec: AuctionSpec, now: number): LiveState => {
  const deadline = now + spec.duration
  switch (spec.kind) {
    case "english":
      return {
        kind: "english",
        state: englishInit(spec.id, {
          reserve: spec.reserve,
          increment: spec.increment,
          deadline,
          ...(spec.softClose === undefined
            ? {}
            : {
                softClose: {
                  window: spec.softClose.window,
                  extension: spec.softClose.extension,
                  latest: now + spec.softClose.maxDuration
                }
              })
        })
      }
    case "english-proxy":
      return {
        kind: "english-proxy",
        state: proxyInit(spec.id, { reserve: spec.reserve, increment: spec.increment, deadline })
      }
    case "english-clock":
      return {
        kind: "english-clock",
        state: clockInit(spec.id, {
          reserve: spec.reserve,
          increment: spec.increment,
          tick: spec.tick,
          start: now + spec.entry,
          deadline
        })
      }
    case "dutch":
      return {
        kind: "dutch",
        state: dutchInit(spec.id, {
          startPrice: spec.startPrice,
          decrement: spec.decrement,
          tick: spec.tick,
          reserve: spec.reserve,
          start: now,
          deadline
        })
      }
    default:
      return {
        kind: spec.kind,
        state: sealedInit(spec.id, {
          pricing: spec.kind,
          reserve: spec.reserve,
          deadline,
          ...(spec.maxBids === undefined ? {} : { maxBids: spec.maxBids })
        })
      }
  }
}

/**
 * One step of a live auction of any kind. A driver sends `Drop` to ascending-clock auctions only.
 *
 * @since 0.1.0
 * @category utils
 */
export const liveStep = (live: LiveState, event: ClockEvent): LiveStep => {
  if (live.kind === "english-clock") {
    const step = clockStep(live.state, event)
    return { state: { kind: "english-clock", state: step.state }, outputs: step.outputs }
  }
  invariant(event._tag !== "Drop", `a ${live.kind} auction has no drop-outs; the driver checks the kind`)
  switch (live.kind) {
    case "english-proxy": {
      const step = proxyStep(live.state, event)
      return { state: { kind: "english-proxy", state: step.state }, outputs: step.outputs }
    }
    case "english": {
      const step = englishStep(live.state, event)
      return { state: { kind: "english", state: step.state }, outputs: step.outputs }
    }
    case "dutch": {
      const step = dutchStep(live.state, event)
      return { state: { kind: "dutch", state: step.state }, outputs: step.outputs }
    }
    default: {
      const step = sealedStep(live.state, event)
      return { state: { kind: live.kind, state: step.state }, outputs: step.outputs }
    }
  }
}

/**
 * When the auction next wants a `Close` event (Clock ms).
 *
 * @since 0.1.0
 * @category utils
 */
export const liveDeadline = (live: LiveState): number =>
  live.kind === "english"
    ? live.state.deadline
    : live.kind === "english-clock"
      ? (live.state.closedAt ?? clockEnd(live.state))
      : live.state.config.deadline

/**
 * The outcome, once settled.
 *
 * @since 0.1.0
 * @category utils
 */
export const liveOutcome = (live: LiveState): Outcome | undefined => live.state.outcome
