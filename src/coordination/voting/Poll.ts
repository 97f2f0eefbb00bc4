/**
 * A poll over a `Transport`: a collector calls the voters, collects one ballot per voter until
 * every voter answered or the deadline passed, then counts (`tally`). Written as a pure step
 * function; the call is resent to silent voters every `retry` ms, so lost messages only cost time.
 * Ballots after the deadline, for another poll, from outside the electorate or for an unknown
 * choice are ignored; a voter's first ballot is the one counted.
 *
 * The collector can run several polls in a row (`polls`, `gap`); it persists only the number of
 * the last poll opened, so a restarted collector opens a fresh poll instead of reusing ballots.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import { emit, type Event, type Output, type Protocol, send, setTimer, type Step } from "../Protocol.ts"
import { type Ballot, type Decision, type NoMajority, type QuorumNotMet, tally } from "./Tally.ts"

/**
 * Messages between a collector and voters.
 *
 * @since 0.1.0
 * @category models
 */
export type PollMessage =
  | {
      readonly _tag: "CallVote"
      readonly poll: number
      readonly choices: ReadonlyArray<string>
      readonly closesAt: number
    }
  | { readonly _tag: "Cast"; readonly poll: number; readonly choice: string }

/**
 * A collector's configuration: who votes with which weight, the choices, the rule and the deadline.
 *
 * @since 0.1.0
 * @category models
 */
export interface PollConfig {
  readonly voters: ReadonlyArray<{ readonly address: Address; readonly weight: number }>
  readonly choices: ReadonlyArray<string>
  readonly rule: "majority" | "plurality"
  /** Fraction of the total weight that must be cast (default 0.5). */
  readonly quorum?: number
  /** Ms from opening to counting. */
  readonly deadline: number
  /** Ms between resends of the call to silent voters. */
  readonly retry: number
  /** How many polls to run in a row (default 1), `gap` ms apart (default 0). */
  readonly polls?: number
  readonly gap?: number
  /** Deliberately broken: count a duplicated ballot again. Never set in production. */
  readonly unsafeCountDuplicates?: boolean
}

/**
 * The collector's state. Voters are keyed `node/id`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PollState {
  readonly config: PollConfig
  readonly poll: number
  readonly open: boolean
  readonly openedAt: number
  readonly ballots: ReadonlyArray<Ballot>
}

/**
 * What the collector reports when a poll closes.
 *
 * @since 0.1.0
 * @category models
 */
export type PollEmit =
  | {
      readonly _tag: "Decided"
      readonly poll: number
      readonly decision: Decision
      readonly ballots: ReadonlyArray<Ballot>
    }
  | {
      readonly _tag: "Failed"
      readonly poll: number
      readonly error: QuorumNotMet | NoMajority
      readonly ballots: ReadonlyArray<Ballot>
    }

type Out = Output<PollMessage, PollEmit>

/**
 * The key of a voter in the electorate.
 *
 * @since 0.1.0
 * @category utils
 */
export const voterKey = (a: Address): string => `${a.node}/${a.id}`

/**
 * The electorate of a configuration: voter key → weight.
 *
 * @since 0.1.0
 * @category utils
 */
export const electorateOf = (config: PollConfig): Readonly<Record<string, number>> =>
  Object.fromEntries(config.voters.map((v) => [voterKey(v.address), v.weight]))

const call = (s: PollState, out: Array<Out>, only?: (key: string) => boolean) => {
  for (const v of s.config.voters) {
    if (only === undefined || only(voterKey(v.address))) {
      out.push(
        send(v.address, {
          _tag: "CallVote",
          poll: s.poll,
          choices: s.config.choices,
          closesAt: s.openedAt + s.config.deadline
        })
      )
    }
  }
}

const open = (s: PollState, now: number, out: Array<Out>): PollState => {
  const next: PollState = { ...s, poll: s.poll + 1, open: true, openedAt: now, ballots: [] }
  call(next, out)
  out.push(setTimer("deadline", now + s.config.deadline), setTimer("retry", now + s.config.retry))
  return next
}

const close = (s: PollState, now: number, out: Array<Out>): PollState => {
  const options = {
    electorate: electorateOf(s.config),
    rule: s.config.rule,
    ...(s.config.quorum === undefined ? {} : { quorum: s.config.quorum })
  }
  const result = tally(s.ballots, options)
  out.push(
    emit(
      result._tag === "Success"
        ? { _tag: "Decided", poll: s.poll, decision: result.success, ballots: s.ballots }
        : { _tag: "Failed", poll: s.poll, error: result.failure, ballots: s.ballots }
    ),
    { _tag: "CancelTimer", key: "deadline" },
    { _tag: "CancelTimer", key: "retry" }
  )
  if (s.poll < (s.config.polls ?? 1)) out.push(setTimer("next", now + (s.config.gap ?? 0)))
  return { ...s, open: false }
}

/**
 * One collector step. Pure and total.
 *
 * @since 0.1.0
 * @category utils
 */
export const pollStep = (s: PollState, e: Event<PollMessage>): Step<PollState, PollMessage, PollEmit> => {
  const out: Array<Out> = []
  switch (e._tag) {
    case "Start":
      return { state: s.poll < (s.config.polls ?? 1) ? open(s, e.now, out) : s, outputs: out }
    case "Timer":
      if (e.key === "next" && !s.open) return { state: open(s, e.now, out), outputs: out }
      if (!s.open) return { state: s, outputs: out }
      if (e.key === "deadline") return { state: close(s, e.now, out), outputs: out }
      if (e.key === "retry") {
        call(s, out, (key) => !s.ballots.some((b) => b.voter === key))
        out.push(setTimer("retry", e.now + s.config.retry))
      }
      return { state: s, outputs: out }
    case "Receive": {
      const m = e.message
      const voter = voterKey(e.from)
      if (m._tag !== "Cast" || !s.open || m.poll !== s.poll || e.now >= s.openedAt + s.config.deadline)
        return { state: s, outputs: [] }
      if (!s.config.choices.includes(m.choice) || !s.config.voters.some((v) => voterKey(v.address) === voter))
        return { state: s, outputs: [] }
      if (s.config.unsafeCountDuplicates !== true && s.ballots.some((b) => b.voter === voter))
        return { state: s, outputs: [] }
      const next: PollState = { ...s, ballots: [...s.ballots, { voter, choice: m.choice }] }
      const all = s.config.voters.every((v) => next.ballots.some((b) => b.voter === voterKey(v.address)))
      return { state: all ? close(next, e.now, out) : next, outputs: out }
    }
  }
}

/**
 * Structural check of an inbound poll message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isPollMessage = (u: unknown): u is PollMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  const poll = typeof o["poll"] === "number" && Number.isSafeInteger(o["poll"])
  if (o["_tag"] === "Cast") return poll && typeof o["choice"] === "string"
  return (
    o["_tag"] === "CallVote" &&
    poll &&
    typeof o["closesAt"] === "number" &&
    Array.isArray(o["choices"]) &&
    o["choices"].every((c) => typeof c === "string")
  )
}

/**
 * A collector as a `Protocol` (endpoint id `service`, default `"poll"`); persists the last poll number.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePoll = (config: PollConfig, service = "poll"): Protocol<PollState, PollMessage, number, PollEmit> => ({
  name: service,
  init: (_self, persisted) => ({ config, poll: persisted ?? 0, open: false, openedAt: 0, ballots: [] }),
  step: pollStep,
  persist: (s) => s.poll,
  isMessage: isPollMessage
})
