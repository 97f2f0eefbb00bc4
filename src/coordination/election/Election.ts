/**
 * Leader election with terms and leases, as a pure step function over fixed membership.
 *
 * A follower that hears no renewal campaigns for the next term; a member grants one vote per term,
 * and a vote is also a *promise*: not to vote for anyone else for `lease` ms. A candidate with a
 * majority of votes leads that term, with a first lease running from when it asked
 * (`campaignAt + voteLease`): every voter's promise outlasts it. The leader renews every `renew` ms;
 * each renewal acknowledged by a majority extends the lease to `sentAt + lease` and the voters'
 * promises with it (sooner, at half the remaining lease, while the lease is short). A leader whose
 * lease ran out without a majority renewal steps down.
 *
 * Hence at most one leader per term (one vote per member per term) and, stronger, at most one
 * member holding an unexpired lease at any moment: a new leader needs a vote from some member
 * that promised the old one, and that member waits for its promise to expire. (Clocks are assumed
 * to run at the same rate; a real deployment subtracts a drift bound from `lease`.)
 * A member's promise to itself binds only while it leads: a candidate that hears of a higher term
 * or of the leader of its own term gives its candidacy up, so it may vote or follow at once.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import { emit, type Event, type Output, type Protocol, send, setTimer, type Step } from "../Protocol.ts"
import type { ElectionConfig, ElectionEmit, ElectionMessage, ElectionPersisted, ElectionState } from "./types.ts"

type S = ElectionState
type E = Event<ElectionMessage>
type Out = Output<ElectionMessage, ElectionEmit>

/**
 * Default timing: lease 300 ms (100 ms from a vote), renewals every 75 ms, campaigns after 150..300 ms of silence.
 *
 * @since 0.1.0
 * @category utils
 */
export const defaultElectionConfig = (members: ReadonlyArray<string>): ElectionConfig => ({
  members,
  service: "election",
  lease: 300,
  voteLease: 100,
  renew: 75,
  electionMin: 150,
  electionMax: 300
})

const peers = (s: S) => s.config.members.filter((m) => m !== s.self.node)
const majority = (s: S) => Math.floor(s.config.members.length / 2) + 1
const addr = (s: S, node: string): Address => ({ node, id: s.config.service })
const jitter = (s: S, e: E) =>
  s.config.electionMin + Math.floor(e.random * (s.config.electionMax - s.config.electionMin))

/**
 * Whether `s` holds leadership with an unexpired lease at `now`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isLeader = (s: ElectionState, now: number): boolean => s.role === "leader" && s.leaseUntil > now

/** The member `s` is bound to at `now` by an unexpired promise, other than `except`. */
const boundTo = (s: S, now: number, except: string): string | undefined => {
  if (s.config.unsafe?.ignorePromise === true || s.promisedTo === undefined || s.promisedTo === except) return undefined
  if (s.promisedUntil <= now) return undefined
  if (s.promisedTo === s.self.node && s.role !== "leader") return undefined
  return s.promisedTo
}

const stepDown = (s: S, e: E, out: Array<Out>): S => {
  out.push(
    emit({ _tag: "SteppedDown", term: s.term }),
    { _tag: "CancelTimer", key: "renew" },
    { _tag: "CancelTimer", key: "expiry" }
  )
  out.push(setTimer("election", e.now + jitter(s, e)))
  return { ...s, role: "follower", leader: undefined, rounds: [], votes: [] }
}

const renewRound = (s: S, e: E, out: Array<Out>): S => {
  const round = s.round + 1
  for (const peer of peers(s)) out.push(send(addr(s, peer), { _tag: "Renew", term: s.term, round }))
  // Renew sooner while the lease is short (right after winning), so one lost round does not end it.
  out.push(setTimer("renew", e.now + Math.max(1, Math.min(s.config.renew, Math.floor((s.leaseUntil - e.now) / 2)))))
  const next: S = {
    ...s,
    round,
    promisedTo: s.self.node,
    promisedUntil: Math.max(s.promisedUntil, e.now + s.config.lease),
    rounds: [...s.rounds, { round, sentAt: e.now, acks: [s.self.node] }].slice(-4)
  }
  return acknowledged(next, round, s.self.node, out)
}

/** Counts an acknowledgement of `round`; a majority extends the lease to that round's start + lease. */
const acknowledged = (s: S, round: number, from: string, out: Array<Out>): S => {
  const r = s.rounds.find((x) => x.round === round)
  if (r === undefined) return s
  const acks = r.acks.includes(from) ? r.acks : [...r.acks, from]
  const rounds = s.rounds.map((x) => (x.round === round ? { ...x, acks } : x))
  if (acks.length < majority(s) || r.sentAt + s.config.lease <= s.leaseUntil) return { ...s, rounds }
  const leaseUntil = r.sentAt + s.config.lease
  out.push(setTimer("expiry", leaseUntil))
  return { ...s, rounds: rounds.filter((x) => x.round > round), leaseUntil }
}

const campaign = (s: S, e: E, out: Array<Out>): S => {
  const bound = boundTo(s, e.now, s.self.node)
  if (bound !== undefined) {
    out.push(setTimer("election", s.promisedUntil + jitter(s, e)))
    return s
  }
  const c: S = {
    ...s,
    role: "candidate",
    term: s.term + 1,
    votedFor: s.self.node,
    promisedTo: s.self.node,
    promisedUntil: e.now + s.config.voteLease,
    leader: undefined,
    votes: [s.self.node],
    campaignAt: e.now
  }
  out.push(setTimer("election", e.now + jitter(c, e)))
  for (const peer of peers(c)) out.push(send(addr(c, peer), { _tag: "RequestVote", term: c.term }))
  return c.votes.length >= majority(c) ? win(c, e, out) : c
}

const win = (s: S, e: E, out: Array<Out>): S => {
  const leaseUntil = s.campaignAt + s.config.voteLease
  if (leaseUntil <= e.now) return s
  out.push(
    emit({ _tag: "Elected", term: s.term, until: leaseUntil }),
    { _tag: "CancelTimer", key: "election" },
    setTimer("expiry", leaseUntil)
  )
  return renewRound({ ...s, role: "leader", leader: s.self.node, leaseUntil, rounds: [] }, e, out)
}

const onReceive = (s0: S, e: E & { _tag: "Receive" }, out: Array<Out>): S => {
  const m = e.message
  const from = e.from.node
  let s = s0
  switch (m._tag) {
    case "RequestVote": {
      if (m.term < s.term || boundTo(s, e.now, from) !== undefined) {
        out.push(send(e.from, { _tag: "Vote", term: m.term, granted: false }))
        return s
      }
      if (m.term > s.term)
        s = {
          ...(s.role === "leader" ? stepDown(s, e, out) : s),
          term: m.term,
          votedFor: undefined,
          role: "follower",
          votes: []
        }
      const granted = s.votedFor === undefined || s.votedFor === from
      if (granted) {
        s = {
          ...s,
          votedFor: from,
          promisedTo: from,
          promisedUntil: Math.max(e.now + s.config.voteLease, s.promisedTo === from ? s.promisedUntil : 0)
        }
        out.push(setTimer("election", e.now + jitter(s, e)))
      }
      out.push(send(e.from, { _tag: "Vote", term: m.term, granted }))
      return s
    }
    case "Vote":
      if (s.role !== "candidate" || m.term !== s.term || !m.granted || s.votes.includes(from)) return s
      s = { ...s, votes: [...s.votes, from] }
      return s.votes.length >= majority(s) ? win(s, e, out) : s
    case "Renew": {
      if (m.term < s.term || boundTo(s, e.now, from) !== undefined) return s
      if (s.role === "leader") s = stepDown(s, e, out)
      s = {
        ...s,
        term: m.term,
        votedFor: m.term > s.term ? from : s.votedFor,
        role: "follower",
        leader: from,
        votes: [],
        promisedTo: from,
        promisedUntil: e.now + s.config.lease
      }
      out.push(
        setTimer("election", e.now + jitter(s, e)),
        send(e.from, { _tag: "RenewAck", term: m.term, round: m.round })
      )
      return s
    }
    case "RenewAck":
      return s.role === "leader" && m.term === s.term ? acknowledged(s, m.round, from, out) : s
  }
}

/**
 * One election step: `(state, event) -> (state, outputs)`. Pure and total.
 *
 * @since 0.1.0
 * @category utils
 */
export const electionStep = (s0: ElectionState, e: E): Step<ElectionState, ElectionMessage, ElectionEmit> => {
  const out: Array<Out> = []
  let s = s0
  if (s.role === "leader" && s.leaseUntil <= e.now) s = stepDown(s, e, out)
  switch (e._tag) {
    case "Start":
      out.push(setTimer("election", e.now + jitter(s, e)))
      return { state: s, outputs: out }
    case "Timer":
      if (e.key === "election" && s.role !== "leader") s = campaign(s, e, out)
      else if (e.key === "renew" && s.role === "leader") s = renewRound(s, e, out)
      return { state: s, outputs: out }
    case "Receive":
      return { state: onReceive(s, e, out), outputs: out }
  }
}

/**
 * A fresh or recovered member: the persisted term, vote and promise; it restarts as a follower.
 *
 * @since 0.1.0
 * @category utils
 */
export const electionInit =
  (config: ElectionConfig) =>
  (self: Address, persisted: ElectionPersisted | undefined): ElectionState => ({
    self,
    config,
    term: persisted?.term ?? 0,
    votedFor: persisted?.votedFor,
    promisedTo: persisted?.promisedTo,
    promisedUntil: persisted?.promisedUntil ?? 0,
    role: "follower",
    leader: undefined,
    votes: [],
    campaignAt: 0,
    leaseUntil: 0,
    round: 0,
    rounds: []
  })

const count = (o: Record<string, unknown>, k: string) =>
  typeof o[k] === "number" && Number.isSafeInteger(o[k]) && (o[k] as number) >= 0

/**
 * Structural check of an inbound election message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isElectionMessage = (u: unknown): u is ElectionMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  switch (o["_tag"]) {
    case "RequestVote":
      return count(o, "term")
    case "Vote":
      return count(o, "term") && typeof o["granted"] === "boolean"
    case "Renew":
    case "RenewAck":
      return count(o, "term") && count(o, "round")
    default:
      return false
  }
}

/**
 * Leader election as a `Protocol` (endpoint id `config.service`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeElection = (
  config: ElectionConfig
): Protocol<ElectionState, ElectionMessage, ElectionPersisted, ElectionEmit> => ({
  name: config.service,
  init: electionInit(config),
  step: electionStep,
  persist: (s) => ({ term: s.term, votedFor: s.votedFor, promisedTo: s.promisedTo, promisedUntil: s.promisedUntil }),
  isMessage: isElectionMessage
})
