/**
 * The counter replicated through Raft: every member runs Raft over `Increment` commands and
 * applies committed entries, in log order, to its own `CounterState`. Clients speak the same
 * `CounterMessage`s as to a single owner: a member that is not the leader answers `NotLeader`
 * with its guess; the leader answers `Incremented` only once the entry is committed and applied.
 *
 * The counter is volatile: after a restart a member rebuilds it by re-applying its committed log.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import type { Event, Output, Protocol, Step } from "../Protocol.ts"
import { isRaftMessage, raftInit, raftStep } from "../raft/Raft.ts"
import type { RaftConfig, RaftEmit, RaftMessage, RaftPersisted, RaftState } from "../raft/types.ts"
import {
  applyIncrement,
  type CounterEmit,
  type CounterMessage,
  type CounterState,
  emptyCounter,
  type Increment,
  isCounterMessage,
  isIncrement,
  replyFor
} from "./Counter.ts"

/**
 * A Raft member with its applied counter.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftCounterState {
  readonly raft: RaftState<Increment>
  readonly counter: CounterState
}

/**
 * What members and clients exchange: Raft's own messages and the counter's.
 *
 * @since 0.1.0
 * @category models
 */
export type RaftCounterMessage = RaftMessage<Increment> | CounterMessage

type Out = Output<RaftCounterMessage, CounterEmit>

/**
 * The Raft entry id of an increment: one entry per (client, seq).
 *
 * @since 0.1.0
 * @category utils
 */
export const entryId = (cmd: Increment): string => `${cmd.client}#${cmd.seq}`

/**
 * One member step: Raft, then apply what it committed, then translate its replies for clients.
 *
 * @since 0.1.0
 * @category utils
 */
export const raftCounterStep = (
  s: RaftCounterState,
  e: Event<RaftCounterMessage>,
  unsafeAckOnAccept = false
): Step<RaftCounterState, RaftCounterMessage, CounterEmit> => {
  let event: Event<RaftMessage<Increment>>
  if (e._tag === "Receive") {
    const m = e.message
    if (m._tag === "Increment") {
      const command: Increment = { client: m.client, seq: m.seq, by: m.by }
      event = { ...e, message: { _tag: "Propose", id: entryId(command), command } }
    } else if (m._tag === "Incremented" || m._tag === "NotLeader" || m._tag === "Rejected")
      return { state: s, outputs: [] }
    else event = { ...e, message: m }
  } else event = e
  const next = raftStep(s.raft, event)
  let counter = s.counter
  const out: Array<Out> = []
  for (const o of next.outputs) {
    if (o._tag === "Emit") {
      const value: RaftEmit<Increment> = o.value
      if (value._tag === "BecameLeader") out.push({ _tag: "Emit", value })
      else if (value.entry.command !== undefined) {
        const cmd = value.entry.command
        const applied = applyIncrement(counter, cmd)
        counter = applied.state
        if (applied.result._tag === "Applied") {
          out.push({
            _tag: "Emit",
            value: { _tag: "Counted", client: cmd.client, seq: cmd.seq, value: applied.result.value }
          })
        }
      }
    } else if (o._tag === "Send" && o.message._tag === "ProposeReply") {
      const reply = o.message
      const cmd = next.state.log.entry(reply.index)?.command
      if (reply.status === "committed" && cmd !== undefined && entryId(cmd) === reply.id) {
        const session = counter.sessions[cmd.client]
        const answer =
          session?.seq === cmd.seq
            ? replyFor(cmd, { _tag: "Duplicate", value: session.value })
            : session === undefined
              ? replyFor(cmd, { _tag: "Full" })
              : undefined
        if (answer !== undefined) out.push({ _tag: "Send", to: o.to, message: answer })
      } else if (reply.status === "accepted" && unsafeAckOnAccept && cmd !== undefined && entryId(cmd) === reply.id) {
        // The broken variant answers before the entry is committed, with the value it expects.
        const ahead = next.state.log
          .slice(next.state.commitIndex, reply.index)
          .filter((x) => x.command !== undefined).length
        out.push({
          _tag: "Send",
          to: o.to,
          message: { _tag: "Incremented", client: cmd.client, seq: cmd.seq, value: counter.value + ahead }
        })
      } else if (reply.status === "not-leader" || reply.status === "log-full") {
        const [client, seq] = splitId(reply.id)
        if (client !== undefined) {
          out.push({
            _tag: "Send",
            to: o.to,
            message:
              reply.status === "not-leader"
                ? { _tag: "NotLeader", client, seq, leader: reply.leader }
                : { _tag: "Rejected", client, seq, reason: "log-full" }
          })
        }
      }
    } else out.push(o)
  }
  return { state: { raft: next.state, counter }, outputs: out }
}

const splitId = (id: string): [string | undefined, number] => {
  const at = id.lastIndexOf("#")
  const seq = Number(id.slice(at + 1))
  return at < 0 || !Number.isSafeInteger(seq) ? [undefined, 0] : [id.slice(0, at), seq]
}

/**
 * Options of the Raft counter.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftCounterOptions {
  /** Raft's configuration (members, timing, bounds, `unsafe` variants). */
  readonly raft: RaftConfig
  /** Sessions kept by the applied counter (default 10 000). */
  readonly maxClients?: number
  /** Deliberately broken: acknowledge an increment when appended, before it commits. Never set in production. */
  readonly unsafeAckOnAccept?: boolean
}

/**
 * The Raft counter as a `Protocol` (endpoint id `raft.service`); persists Raft's term, vote and log.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRaftCounter = (
  options: RaftCounterOptions
): Protocol<RaftCounterState, RaftCounterMessage, RaftPersisted<Increment>, CounterEmit> => {
  const init = raftInit<Increment>(options.raft)
  return {
    name: options.raft.service,
    init: (self: Address, persisted) => ({ raft: init(self, persisted), counter: emptyCounter(options.maxClients) }),
    step: (s, e) => raftCounterStep(s, e, options.unsafeAckOnAccept === true),
    persist: (s) => ({ term: s.raft.term, votedFor: s.raft.votedFor, log: s.raft.log }),
    isMessage: (u): u is RaftCounterMessage => isCounterMessage(u) || isRaftMessage(u, isIncrement)
  }
}
