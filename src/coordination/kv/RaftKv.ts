/**
 * A key-value store replicated through Raft: every member runs Raft over `KvCommand`s and applies
 * committed entries, in log order, to its own `KvState`. Reads and writes both go through the log
 * (a read is answered when its entry is committed and applied), so answers are linearizable. A
 * member that is not the leader answers `KvNotLeader` with its guess of the leader.
 *
 * The store is volatile: a restarted member rebuilds it by re-applying its committed log.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import type { Event, Output, Protocol, Step } from "../Protocol.ts"
import { isRaftMessage, raftInit, raftStep } from "../raft/Raft.ts"
import type { RaftConfig, RaftEmit, RaftMessage, RaftPersisted, RaftState } from "../raft/types.ts"
import {
  applyKv,
  emptyKv,
  isKvCommand,
  isKvMessage,
  type KvCommand,
  type KvMessage,
  type KvResult,
  type KvState
} from "./KvMachine.ts"

/**
 * A Raft member with its applied store.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftKvState {
  readonly raft: RaftState<KvCommand>
  readonly kv: KvState
}

/**
 * What members and clients exchange: Raft's messages and the store's.
 *
 * @since 0.1.0
 * @category models
 */
export type RaftKvMessage = RaftMessage<KvCommand> | KvMessage

/**
 * What a member reports: each command it applied, and leadership.
 *
 * @since 0.1.0
 * @category models
 */
export type RaftKvEmit =
  | { readonly _tag: "KvApplied"; readonly index: number; readonly command: KvCommand }
  | { readonly _tag: "BecameLeader"; readonly term: number }

type Out = Output<RaftKvMessage, RaftKvEmit>

/**
 * The Raft entry id of a request: one entry per (client, seq).
 *
 * @since 0.1.0
 * @category utils
 */
export const kvEntryId = (cmd: { readonly client: string; readonly seq: number }): string => `${cmd.client}#${cmd.seq}`

const splitId = (id: string): [string | undefined, number] => {
  const at = id.lastIndexOf("#")
  const seq = Number(id.slice(at + 1))
  return at < 0 || !Number.isSafeInteger(seq) ? [undefined, 0] : [id.slice(0, at), seq]
}

/** The answer to a committed command: from this step's result, else from the client's session. */
const answerFor = (kv: KvState, cmd: KvCommand, result: KvResult | undefined): KvMessage | undefined => {
  if (result?._tag === "Done" || result?._tag === "Duplicate")
    return { _tag: "KvReply", client: cmd.client, seq: cmd.seq, value: result.value }
  if (result?._tag === "Full") return { _tag: "KvRejected", client: cmd.client, seq: cmd.seq, reason: result.reason }
  if (result?._tag === "Stale") return undefined
  const session = kv.sessions[cmd.client]
  if (session?.seq === cmd.seq) return { _tag: "KvReply", client: cmd.client, seq: cmd.seq, value: session.value }
  if (session !== undefined && session.seq > cmd.seq) return undefined
  return {
    _tag: "KvRejected",
    client: cmd.client,
    seq: cmd.seq,
    reason: session === undefined ? "too-many-clients" : "too-many-keys"
  }
}

/**
 * One member step: requests become proposals; Raft; apply what committed; answer clients.
 * `unsafeLocalReads` is a deliberately broken variant (any member answers a `Get` at once from its
 * own applied state: stale reads), for proving the linearizability checker. Never set in production.
 *
 * @since 0.1.0
 * @category utils
 */
export const raftKvStep = (
  s: RaftKvState,
  e: Event<RaftKvMessage>,
  unsafeLocalReads = false
): Step<RaftKvState, RaftKvMessage, RaftKvEmit> => {
  let event: Event<RaftMessage<KvCommand>>
  if (e._tag === "Receive") {
    const m = e.message
    if (m._tag === "KvRequest") {
      if (unsafeLocalReads && m.op._tag === "Get") {
        const value = Object.hasOwn(s.kv.values, m.op.key) ? s.kv.values[m.op.key]! : null
        return {
          state: s,
          outputs: [{ _tag: "Send", to: e.from, message: { _tag: "KvReply", client: m.client, seq: m.seq, value } }]
        }
      }
      const command: KvCommand = { client: m.client, seq: m.seq, op: m.op }
      event = { ...e, message: { _tag: "Propose", id: kvEntryId(command), command } }
    } else if (m._tag === "KvReply" || m._tag === "KvNotLeader" || m._tag === "KvRejected")
      return { state: s, outputs: [] }
    else event = { ...e, message: m }
  } else event = e
  const next = raftStep(s.raft, event)
  let kv = s.kv
  const results = new Map<string, KvResult>()
  const out: Array<Out> = []
  for (const o of next.outputs) {
    if (o._tag === "Emit") {
      const value: RaftEmit<KvCommand> = o.value
      if (value._tag === "BecameLeader") out.push({ _tag: "Emit", value })
      else if (value.entry.command !== undefined) {
        const applied = applyKv(kv, value.entry.command)
        kv = applied.state
        results.set(value.entry.id, applied.result)
        out.push({ _tag: "Emit", value: { _tag: "KvApplied", index: value.index, command: value.entry.command } })
      }
    } else if (o._tag === "Send" && o.message._tag === "ProposeReply") {
      const reply = o.message
      const entry = next.state.log.entry(reply.index)
      if (reply.status === "committed" && entry?.command !== undefined && entry.id === reply.id) {
        const answer = answerFor(kv, entry.command, results.get(reply.id))
        if (answer !== undefined) out.push({ _tag: "Send", to: o.to, message: answer })
      } else if (reply.status === "not-leader" || reply.status === "log-full") {
        const [client, seq] = splitId(reply.id)
        if (client !== undefined) {
          out.push({
            _tag: "Send",
            to: o.to,
            message:
              reply.status === "not-leader"
                ? { _tag: "KvNotLeader", client, seq, leader: reply.leader }
                : { _tag: "KvRejected", client, seq, reason: "log-full" }
          })
        }
      }
    } else out.push(o)
  }
  return { state: { raft: next.state, kv }, outputs: out }
}

/**
 * Options of the Raft key-value store.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftKvOptions {
  /** Raft's configuration (members, timing, bounds). */
  readonly raft: RaftConfig
  /** Keys and client sessions kept (default 10 000 each). */
  readonly maxKeys?: number
  readonly maxClients?: number
  /** Deliberately broken: answer reads locally, without the log (stale reads). Never set in production. */
  readonly unsafeLocalReads?: boolean
}

/**
 * The Raft key-value store as a `Protocol` (endpoint id `raft.service`); persists Raft's term, vote and log.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRaftKv = (
  options: RaftKvOptions
): Protocol<RaftKvState, RaftKvMessage, RaftPersisted<KvCommand>, RaftKvEmit> => {
  const init = raftInit<KvCommand>(options.raft)
  const broken = options.unsafeLocalReads === true
  return {
    name: options.raft.service,
    init: (self: Address, persisted) => ({
      raft: init(self, persisted),
      kv: emptyKv(options.maxKeys, options.maxClients)
    }),
    step: (s, e) => raftKvStep(s, e, broken),
    persist: (s) => ({ term: s.raft.term, votedFor: s.raft.votedFor, log: s.raft.log }),
    isMessage: (u): u is RaftKvMessage => isKvMessage(u) || isRaftMessage(u, isKvCommand)
  }
}
