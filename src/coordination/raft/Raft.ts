/**
 * Raft (election, log replication, commit) as a pure step function over fixed membership.
 *
 * `makeRaft(config, isCommand)` returns a `Protocol`; run it with `runNode` on each member. Clients
 * send `Propose` to any member; the leader replies `accepted`, then `committed` once the entry is
 * committed (others reply `not-leader` with their best guess of the leader). Every node emits
 * `Applied` for each entry it commits, in log order: the replicated state machine's input.
 * `ProposeBatch` appends many commands at once (one reply, for the batch's last index).
 *
 * Liveness: an election timeout first runs a pre-vote round (`config.preVote`), so a member that
 * rejoins with a stale log cannot depose a healthy leader; a candidate refused by a majority goes
 * back to follower; when the commit index advances, idle followers get it at once (an empty Append).
 *
 * Throughput: the log is a persistent `RaftLog` (O(1) append and id lookup, old states stay
 * valid), and the leader keeps at most one Append in flight per peer: entries proposed while it
 * waits for the reply go out together, up to `maxBatch` (a lost Append is resent by the heartbeat).
 *
 * @since 0.1.0
 */
import { invariant } from "../../errors/Invariant.ts"
import type { Address } from "../../transport/index.ts"
import { emit, type Event, type Output, type Protocol, send, setTimer, type Step } from "../Protocol.ts"
import { RaftLog } from "./RaftLog.ts"
import type { Entry, RaftConfig, RaftEmit, RaftMessage, RaftPersisted, RaftState } from "./types.ts"

type S<C> = RaftState<C>
type Out<C> = Output<RaftMessage<C>, RaftEmit<C>>

/**
 * Default timing: heartbeat 50 ms, elections in [150, 300) ms.
 *
 * @since 0.1.0
 * @category utils
 */
export const defaultRaftConfig = (members: ReadonlyArray<string>): RaftConfig => ({
  members,
  service: "raft",
  electionMin: 150,
  electionMax: 300,
  heartbeat: 50,
  maxBatch: 64,
  maxLog: 10_000,
  maxWaiting: 1_024,
  preVote: true
})

/**
 * The index of the last entry (0 when empty).
 *
 * @since 0.1.0
 * @category utils
 */
export const lastIndex = <C>(s: RaftPersisted<C>): number => s.log.length
/**
 * The term of entry `index` (0 for index 0 or beyond the log).
 *
 * @since 0.1.0
 * @category utils
 */
export const termAt = <C>(s: RaftPersisted<C>, index: number): number => s.log.termAt(index)

const peersOf = new WeakMap<RaftConfig, Map<string, ReadonlyArray<string>>>()
const peers = <C>(s: S<C>): ReadonlyArray<string> => {
  let byNode = peersOf.get(s.config)
  if (byNode === undefined) peersOf.set(s.config, (byNode = new Map()))
  let found = byNode.get(s.self.node)
  if (found === undefined) byNode.set(s.self.node, (found = s.config.members.filter((m) => m !== s.self.node)))
  return found
}
const majority = <C>(s: S<C>) => Math.floor(s.config.members.length / 2) + 1
const addr = <C>(s: S<C>, node: string): Address => ({ node, id: s.config.service })
const electionTimer = <C>(s: S<C>, e: Event<RaftMessage<C>>) =>
  setTimer(
    "election",
    e.now + s.config.electionMin + Math.floor(e.random * (s.config.electionMax - s.config.electionMin))
  )

/** Whether the latest Append to `peer` was acknowledged (nothing newer is in flight). */
const idle = <C>(s: S<C>, peer: string) => (s.inflight[peer] ?? 0) <= (s.match[peer] ?? 0)

/** Sends each of `to` an Append from its `next` index (at most `maxBatch` entries); records it in flight. */
const replicate = <C>(s: S<C>, to: ReadonlyArray<string>, out: Array<Out<C>>): S<C> => {
  if (to.length === 0) return s
  const inflight: Record<string, number> = { ...s.inflight }
  const told: Record<string, number> = { ...s.told }
  for (const peer of to) {
    const next = s.next[peer] ?? lastIndex(s) + 1
    const entries = s.log.slice(next - 1, next - 1 + s.config.maxBatch)
    out.push(
      send(addr(s, peer), {
        _tag: "Append",
        term: s.term,
        prevIndex: next - 1,
        prevTerm: termAt(s, next - 1),
        entries,
        commit: s.commitIndex
      })
    )
    inflight[peer] = next - 1 + entries.length
    told[peer] = s.commitIndex
  }
  return { ...s, inflight, told }
}

/**
 * The idle peers that are behind the leader's log or its commit index: the ones an Append should go
 * to now. So a follower learns a new commit index at once (an empty Append if need be), not at the
 * next heartbeat; a busy peer learns it with the Append sent when its reply comes back.
 */
const readyPeers = <C>(s: S<C>): Array<string> =>
  peers(s).filter((p) => idle(s, p) && ((s.next[p] ?? 1) <= lastIndex(s) || (s.told[p] ?? 0) < s.commitIndex))

/** Commits up to `index` (never backwards), emitting `Applied` and answering waiting clients. */
const commitTo = <C>(s: S<C>, index: number, out: Array<Out<C>>): S<C> => {
  const target = Math.min(index, lastIndex(s))
  if (target <= s.commitIndex) return s
  for (let i = s.commitIndex + 1; i <= target; i++) {
    const entry = s.log.entry(i)
    if (entry !== undefined) out.push(emit({ _tag: "Applied", index: i, entry }))
  }
  if (s.waiting.length === 0) return { ...s, commitIndex: target }
  const waiting = s.waiting.filter((w) => {
    if (w.index > target) return true
    if (s.log.entry(w.index)?.id === w.entry) {
      out.push(
        send(w.client, { _tag: "ProposeReply", id: w.id, status: "committed", index: w.index, leader: s.self.node })
      )
    }
    return false
  })
  return { ...s, commitIndex: target, waiting }
}

const becomeLeader = <C>(s: S<C>, e: Event<RaftMessage<C>>, out: Array<Out<C>>): S<C> => {
  const next: Record<string, number> = {}
  const match: Record<string, number> = {}
  const log = s.log.append([{ term: s.term, id: `noop-${s.self.node}-${s.term}`, command: undefined }])
  for (const peer of peers(s)) {
    next[peer] = log.length
    match[peer] = 0
  }
  let leader: S<C> = {
    ...s,
    role: "leader",
    leader: s.self.node,
    log,
    next,
    match,
    inflight: {},
    told: {},
    waiting: [],
    preVotes: undefined
  }
  out.push(emit({ _tag: "BecameLeader", term: s.term }), { _tag: "CancelTimer", key: "election" })
  leader = replicate(leader, peers(leader), out)
  out.push(setTimer("heartbeat", e.now + s.config.heartbeat))
  return advanceCommit(leader, out)
}

/** Commits the highest index a majority holds, if it is of the leader's term (Raft's commit rule). */
const advanceCommit = <C>(s: S<C>, out: Array<Out<C>>): S<C> => {
  const held = [lastIndex(s), ...peers(s).map((p) => s.match[p] ?? 0)].sort((a, b) => b - a)
  // Terms never decrease along the log: if the majority's index is of an older term, so is every lower one.
  const n = held[majority(s) - 1] ?? 0
  const current = termAt(s, n) === s.term || s.config.unsafe?.commitOldTerms === true
  return n > s.commitIndex && current ? commitTo(s, n, out) : s
}

/** Whether a log ending at (`index`, `term`) is at least as up to date as this node's (Raft §5.4.1). */
const upToDate = <C>(s: S<C>, index: number, term: number) =>
  term > termAt(s, lastIndex(s)) || (term === termAt(s, lastIndex(s)) && index >= lastIndex(s))

/** An election timeout: a pre-vote round for the next term (or, without pre-vote, the election itself). */
const startPreVote = <C>(s: S<C>, e: Event<RaftMessage<C>>, out: Array<Out<C>>): S<C> => {
  if (s.config.preVote !== true || 1 >= majority(s)) return startElection(s, e, out)
  const pre: S<C> = { ...s, preVotes: [s.self.node] }
  out.push(electionTimer(pre, e))
  for (const peer of peers(pre)) {
    out.push(
      send(addr(pre, peer), {
        _tag: "PreVote",
        term: s.term + 1,
        lastIndex: lastIndex(s),
        lastTerm: termAt(s, lastIndex(s))
      })
    )
  }
  return pre
}

const startElection = <C>(s: S<C>, e: Event<RaftMessage<C>>, out: Array<Out<C>>): S<C> => {
  const candidate: S<C> = {
    ...s,
    role: "candidate",
    term: s.term + 1,
    votedFor: s.self.node,
    votes: [s.self.node],
    refused: [],
    preVotes: undefined,
    leader: undefined
  }
  out.push(electionTimer(candidate, e))
  if (1 >= majority(candidate)) return becomeLeader(candidate, e, out)
  for (const peer of peers(candidate)) {
    out.push(
      send(addr(candidate, peer), {
        _tag: "RequestVote",
        term: candidate.term,
        lastIndex: lastIndex(s),
        lastTerm: termAt(s, lastIndex(s))
      })
    )
  }
  return candidate
}

const onAppend = <C>(
  s: S<C>,
  e: Event<RaftMessage<C>> & { _tag: "Receive" },
  m: RaftMessage<C> & { _tag: "Append" },
  out: Array<Out<C>>
): S<C> => {
  const reply = (success: boolean, match: number) =>
    out.push(send(e.from, { _tag: "AppendReply", term: s.term, success, match }))
  if (m.term < s.term && s.config.unsafe?.ignoreTerm !== true) {
    reply(false, 0)
    return s
  }
  let next: S<C> = { ...s, role: "follower", leader: e.from.node, heardAt: e.now, preVotes: undefined }
  out.push(electionTimer(next, e))
  if (m.prevIndex > lastIndex(next) || termAt(next, m.prevIndex) !== m.prevTerm) {
    reply(false, Math.min(m.prevIndex - 1, lastIndex(next)))
    return next
  }
  let log = next.log
  for (let k = 0; k < m.entries.length; k++) {
    const index = m.prevIndex + 1 + k
    if (index <= log.length && log.termAt(index) === m.entries[k]!.term) continue
    // Only a conflicting entry truncates: a stale, reordered Append must never shorten the log.
    log = log.truncate(index - 1).append(m.entries, k)
    break
  }
  if (log !== next.log) next = { ...next, log }
  const match = m.prevIndex + m.entries.length
  next = commitTo(next, Math.min(m.commit, match), out)
  reply(true, match)
  return next
}

/** A client's proposal of `commands` (entry ids `ids`), answered under `id`. */
const onPropose = <C>(
  s: S<C>,
  e: Event<RaftMessage<C>> & { _tag: "Receive" },
  id: string,
  ids: ReadonlyArray<string>,
  commands: ReadonlyArray<C>,
  out: Array<Out<C>>
): S<C> => {
  const reply = (status: "accepted" | "not-leader" | "log-full", index: number) =>
    out.push(send(e.from, { _tag: "ProposeReply", id, status, index, leader: s.leader }))
  if (s.role !== "leader") return (void reply("not-leader", 0), s)
  const lastId = ids[ids.length - 1] ?? id
  const existing = s.log.indexOf(lastId)
  if (existing === 0 && lastIndex(s) + commands.length > s.config.maxLog) return (void reply("log-full", 0), s)
  const index = existing > 0 ? existing : lastIndex(s) + commands.length
  if (existing === 0) {
    const term = s.term
    s = { ...s, log: s.log.append(commands.map((command, k) => ({ term, id: ids[k]!, command }))) }
  }
  reply("accepted", index)
  if (index <= s.commitIndex) {
    out.push(send(e.from, { _tag: "ProposeReply", id, status: "committed", index, leader: s.self.node }))
    return s
  }
  const waiter = { index, id, entry: lastId, client: e.from }
  const max = s.config.maxWaiting
  s = {
    ...s,
    waiting: s.waiting.length < max ? [...s.waiting, waiter] : [...s.waiting.slice(s.waiting.length - max + 1), waiter]
  }
  s = replicate(s, readyPeers(s), out)
  return advanceCommit(s, out)
}

const onReceive = <C>(s0: S<C>, e: Event<RaftMessage<C>> & { _tag: "Receive" }, out: Array<Out<C>>): S<C> => {
  const m = e.message
  let s = s0
  const termed =
    m._tag !== "Propose" &&
    m._tag !== "ProposeBatch" &&
    m._tag !== "ProposeReply" &&
    m._tag !== "PreVote" &&
    m._tag !== "PreVoteReply"
  if (termed && m.term > s.term) {
    s = {
      ...s,
      term: m.term,
      votedFor: undefined,
      role: "follower",
      leader: undefined,
      votes: [],
      refused: [],
      preVotes: undefined
    }
    if (s0.role === "leader") out.push({ _tag: "CancelTimer", key: "heartbeat" }, electionTimer(s, e))
  }
  switch (m._tag) {
    case "RequestVote": {
      const granted =
        m.term === s.term &&
        (s.votedFor === undefined || s.votedFor === e.from.node) &&
        upToDate(s, m.lastIndex, m.lastTerm)
      if (granted) {
        s = { ...s, votedFor: e.from.node }
        out.push(electionTimer(s, e))
      }
      out.push(send(e.from, { _tag: "Vote", term: s.term, granted }))
      return s
    }
    case "Vote": {
      const current = m.term === s.term || s.config.unsafe?.ignoreTerm === true
      if (s.role !== "candidate" || !current || s.votes.includes(e.from.node) || s.refused.includes(e.from.node))
        return s
      if (!m.granted) {
        // A majority refused: this election cannot be won; wait as a follower for a leader (or the next timeout).
        s = { ...s, refused: [...s.refused, e.from.node] }
        return s.refused.length >= majority(s) ? { ...s, role: "follower", refused: [] } : s
      }
      s = { ...s, votes: [...s.votes, e.from.node] }
      return s.votes.length >= majority(s) ? becomeLeader(s, e, out) : s
    }
    case "PreVote": {
      // Grant only if an election could be right: no leader heard from lately, and an up-to-date log.
      const recent = s.role === "leader" || (s.leader !== undefined && e.now - s.heardAt < s.config.electionMin)
      const granted = m.term > s.term && !recent && upToDate(s, m.lastIndex, m.lastTerm)
      out.push(send(e.from, { _tag: "PreVoteReply", term: m.term, granted }))
      return s
    }
    case "PreVoteReply": {
      const pre = s.preVotes
      if (pre === undefined || s.role === "leader" || m.term !== s.term + 1 || !m.granted || pre.includes(e.from.node))
        return s
      s = { ...s, preVotes: [...pre, e.from.node] }
      return pre.length + 1 >= majority(s) ? startElection(s, e, out) : s
    }
    case "Append":
      return onAppend(s, e, m, out)
    case "AppendReply": {
      const current = m.term === s.term || s.config.unsafe?.ignoreTerm === true
      if (s.role !== "leader" || !current) return s
      const peer = e.from.node
      if (m.success) {
        s = {
          ...s,
          match: { ...s.match, [peer]: Math.max(s.match[peer] ?? 0, m.match) },
          next: { ...s.next, [peer]: Math.max(s.next[peer] ?? 1, m.match + 1) }
        }
        // Pipelining is bounded to one Append per peer: a reply to an older one sends nothing.
        s = advanceCommit(s, out)
        return replicate(s, readyPeers(s), out)
      }
      s = { ...s, next: { ...s.next, [peer]: Math.max(1, Math.min((s.next[peer] ?? 1) - 1, m.match + 1)) } }
      return replicate(s, [peer], out)
    }
    case "Propose":
      return onPropose(s, e, m.id, [m.id], [m.command], out)
    case "ProposeBatch":
      return onPropose(
        s,
        e,
        m.id,
        m.commands.map((_, k) => `${m.id}/${k}`),
        m.commands,
        out
      )
    case "ProposeReply":
      return s
  }
}

/**
 * Raft's local invariants across one step (a violation is a bug: `InvariantViolation`, a defect):
 * the term never decreases; the commit index never decreases and never passes the log's end; a
 * leader names itself leader and voted for itself in its term. Not checked for the deliberately
 * broken `unsafe` variants, whose point is to break Raft for the simulator's checkers to catch.
 */
const checkStep = <C>(before: S<C>, after: S<C>): void => {
  // Messages are built only on failure: this runs on every step.
  if (after.config.unsafe !== undefined) return
  if (after.term < before.term)
    invariant(false, `raft: term went back from ${before.term} to ${after.term} on ${after.self.node}`)
  if (after.commitIndex < before.commitIndex)
    invariant(false, `raft: commit index went back from ${before.commitIndex} to ${after.commitIndex}`)
  if (after.commitIndex > after.log.length)
    invariant(false, `raft: commit index ${after.commitIndex} beyond the log's end ${after.log.length}`)
  if (after.role === "leader" && (after.leader !== after.self.node || after.votedFor !== after.self.node)) {
    invariant(
      false,
      `raft: leader ${after.self.node} of term ${after.term} names ${after.leader} leader, voted for ${after.votedFor}`
    )
  }
}

/**
 * One Raft step: `(state, event) -> (state, outputs)`. Pure and total; asserts `checkStep`.
 *
 * @since 0.1.0
 * @category utils
 */
export const raftStep = <C>(s: S<C>, e: Event<RaftMessage<C>>): Step<S<C>, RaftMessage<C>, RaftEmit<C>> => {
  const step = raftStepUnchecked(s, e)
  checkStep(s, step.state)
  return step
}

const raftStepUnchecked = <C>(s: S<C>, e: Event<RaftMessage<C>>): Step<S<C>, RaftMessage<C>, RaftEmit<C>> => {
  const out: Array<Out<C>> = []
  switch (e._tag) {
    case "Start":
      return { state: s, outputs: [electionTimer(s, e)] }
    case "Timer":
      if (e.key === "election" && s.role !== "leader") return { state: startPreVote(s, e, out), outputs: out }
      if (e.key === "heartbeat" && s.role === "leader") {
        const state = replicate(s, peers(s), out)
        out.push(setTimer("heartbeat", e.now + s.config.heartbeat))
        return { state, outputs: out }
      }
      return { state: s, outputs: out }
    case "Receive":
      return { state: onReceive(s, e, out), outputs: out }
  }
}

/**
 * A fresh or recovered node: persisted term, vote and log; volatile state starts over.
 *
 * @since 0.1.0
 * @category utils
 */
export const raftInit =
  <C>(config: RaftConfig) =>
  (self: Address, persisted: RaftPersisted<C> | undefined): S<C> => ({
    self,
    config,
    term: persisted?.term ?? 0,
    votedFor: persisted?.votedFor,
    log: persisted?.log ?? RaftLog.empty<C>(),
    role: "follower",
    leader: undefined,
    commitIndex: 0,
    votes: [],
    refused: [],
    preVotes: undefined,
    heardAt: Number.NEGATIVE_INFINITY,
    next: {},
    match: {},
    inflight: {},
    told: {},
    waiting: []
  })

/**
 * Raft as a `Protocol` whose commands are recognised by `isCommand`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRaft = <C>(
  config: RaftConfig,
  isCommand: (u: unknown) => u is C
): Protocol<S<C>, RaftMessage<C>, RaftPersisted<C>, RaftEmit<C>> => ({
  name: config.service,
  init: raftInit<C>(config),
  step: raftStep,
  persist: (s) => ({ term: s.term, votedFor: s.votedFor, log: s.log }),
  isMessage: (u): u is RaftMessage<C> => isRaftMessage(u, isCommand)
})

const num = (o: Record<string, unknown>, key: string) =>
  typeof o[key] === "number" && Number.isSafeInteger(o[key]) && (o[key] as number) >= 0
const isEntry = <C>(u: unknown, isCommand: (u: unknown) => u is C): u is Entry<C> =>
  typeof u === "object" &&
  u !== null &&
  num(u as Record<string, unknown>, "term") &&
  typeof (u as Record<string, unknown>)["id"] === "string" &&
  ((u as Record<string, unknown>)["command"] === undefined || isCommand((u as Record<string, unknown>)["command"]))

/**
 * Structural check of an inbound Raft message (cheap: no Schema on the hot path).
 *
 * @since 0.1.0
 * @category guards
 */
export const isRaftMessage = <C>(u: unknown, isCommand: (u: unknown) => u is C): u is RaftMessage<C> => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  switch (o["_tag"]) {
    case "RequestVote":
    case "PreVote":
      return num(o, "term") && num(o, "lastIndex") && num(o, "lastTerm")
    case "Vote":
    case "PreVoteReply":
      return num(o, "term") && typeof o["granted"] === "boolean"
    case "Append":
      return (
        num(o, "term") &&
        num(o, "prevIndex") &&
        num(o, "prevTerm") &&
        num(o, "commit") &&
        Array.isArray(o["entries"]) &&
        o["entries"].every((entry) => isEntry(entry, isCommand))
      )
    case "AppendReply":
      return num(o, "term") && num(o, "match") && typeof o["success"] === "boolean"
    case "Propose":
      return typeof o["id"] === "string" && isCommand(o["command"])
    case "ProposeBatch":
      return (
        typeof o["id"] === "string" &&
        Array.isArray(o["commands"]) &&
        o["commands"].length > 0 &&
        o["commands"].every((command) => isCommand(command))
      )
    case "ProposeReply":
      return typeof o["id"] === "string"
    default:
      return false
  }
}
