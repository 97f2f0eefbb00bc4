/**
 * The lease lock replicated through Raft: every member runs Raft over `LockCommand`s and applies
 * committed ones, in log order, to its own `LockMachine` (holder, lease expiry, fencing token), so
 * the lock survives the loss of a minority of members. Clients speak the single owner's
 * `LockMessage`s to any member: the leader stamps an `Acquire` with its clock, appends it, and
 * answers `Granted` / `Busy` once it is committed and applied (or `Busy` at once while its applied
 * machine shows the lock held, so retries while busy add nothing to the log); another member
 * answers `LockRedirect` with its guess of the leader. `Release` is appended too and answered
 * `LockReleased` once committed (a resent release is found in the log, not appended twice).
 *
 * The machine is volatile: after a restart a member rebuilds it by re-applying its committed log.
 * The log is bounded by `raft.maxLog` (no compaction yet): once full, the leader answers an
 * acquisition `LockOverloaded` at once.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import type { Event, Output, Protocol, Step } from "../Protocol.ts"
import { isRaftMessage, raftInit, raftStep } from "../raft/Raft.ts"
import type { RaftConfig, RaftMessage, RaftPersisted, RaftState } from "../raft/types.ts"
import {
  applyLockCommand,
  emptyLockMachine,
  isLockCommand,
  type LockCommand,
  type LockMachine,
  type LockResult
} from "./LockMachine.ts"
import { isLockMessage, type LockEmit, type LockMessage } from "./LockServer.ts"

/**
 * A member's answer to a client that asked a non-leader: retry at `leader` (when known).
 *
 * @since 0.1.0
 * @category models
 */
export interface LockRedirect {
  readonly _tag: "LockRedirect"
  readonly id: string
  readonly leader: string | undefined
}

/**
 * The leader's acknowledgement of a `Release`: it is committed (the lock is free, or the lease had
 * already ended). A client resends its release until it gets this (or its lease is over).
 *
 * @since 0.1.0
 * @category models
 */
export interface LockReleased {
  readonly _tag: "LockReleased"
  readonly lock: string
  readonly token: number
}

/**
 * The leader refused request `id` at once because its log is full (no compaction yet: the log
 * holds at most `raft.maxLog` entries): retrying will not help until the group is restarted.
 *
 * @since 0.1.0
 * @category models
 */
export interface LockOverloaded {
  readonly _tag: "LockOverloaded"
  readonly id: string
  readonly maxLog: number
}

/**
 * What members and clients exchange: Raft's messages, the lock's, redirects, release acks and refusals.
 *
 * @since 0.1.0
 * @category models
 */
export type RaftLockMessage = RaftMessage<LockCommand> | LockMessage | LockRedirect | LockReleased | LockOverloaded

/**
 * A Raft member with its applied lock machine.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftLockState {
  readonly raft: RaftState<LockCommand>
  readonly machine: LockMachine
}

type Out = Output<RaftLockMessage, LockEmit>

const acquireId = (id: string) => `acquire:${id}`
const requestOf = (entryId: string) => (entryId.startsWith("acquire:") ? entryId.slice(8) : undefined)

/**
 * The request id of a release (also its entry id): a `LockRedirect` for it carries this id.
 *
 * @since 0.1.0
 * @category utils
 */
export const releaseId = (lock: string, token: number): string => `release:${lock}:${token}`

/**
 * Whether `u` is a `LockReleased`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isLockReleased = (u: unknown): u is LockReleased =>
  typeof u === "object" &&
  u !== null &&
  (u as Record<string, unknown>)["_tag"] === "LockReleased" &&
  typeof (u as Record<string, unknown>)["lock"] === "string" &&
  typeof (u as Record<string, unknown>)["token"] === "number"

/**
 * Whether `u` is a `LockOverloaded`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isLockOverloaded = (u: unknown): u is LockOverloaded =>
  typeof u === "object" &&
  u !== null &&
  (u as Record<string, unknown>)["_tag"] === "LockOverloaded" &&
  typeof (u as Record<string, unknown>)["id"] === "string" &&
  typeof (u as Record<string, unknown>)["maxLog"] === "number"

/**
 * Whether `u` is a `LockRedirect`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isLockRedirect = (u: unknown): u is LockRedirect =>
  typeof u === "object" &&
  u !== null &&
  (u as Record<string, unknown>)["_tag"] === "LockRedirect" &&
  typeof (u as Record<string, unknown>)["id"] === "string"

/**
 * The client's answer for a committed `Acquire`: its result in this step, or what the machine holds
 * now. A grant whose lease already ended by the leader's clock `now` is answered `Busy` instead:
 * it may have been superseded by a later grant applied in the same batch (two acquires committed
 * together), and a client must never receive a lower fencing token after a higher one was handed
 * out, nor a lease that is already over.
 */
const answer = (
  machine: LockMachine,
  cmd: LockCommand & { _tag: "Acquire" },
  result: LockResult | undefined,
  now: number
): LockMessage => {
  const held = machine.locks[cmd.lock]
  const busy: LockMessage = {
    _tag: "Busy",
    lock: cmd.lock,
    id: cmd.id,
    expires: result?._tag === "Busy" ? result.expires : (held?.expires ?? machine.clock)
  }
  if (result?._tag === "Granted") {
    return result.expires > now && held?.token === result.token
      ? { _tag: "Granted", lock: cmd.lock, token: result.token, id: cmd.id, expires: result.expires }
      : busy
  }
  if (result === undefined && held?.id === cmd.id && held.expires > now)
    return { _tag: "Granted", lock: cmd.lock, token: held.token, id: cmd.id, expires: held.expires }
  return busy
}

/**
 * One member step: client requests become proposals; Raft; apply what committed; answer clients.
 *
 * @since 0.1.0
 * @category utils
 */
export const raftLockStep = (
  s: RaftLockState,
  e: Event<RaftLockMessage>,
  grantWhileHeld = false
): Step<RaftLockState, RaftLockMessage, LockEmit> => {
  let event: Event<RaftMessage<LockCommand>>
  if (e._tag === "Receive") {
    const m = e.message
    switch (m._tag) {
      case "Acquire": {
        // A leader answers Busy at once while it knows the lock is held (no log entry for a retry
        // while busy). Safe: a stale Busy only delays the caller; grants always go through the log.
        const held = s.raft.role === "leader" ? s.machine.locks[m.lock] : undefined
        if (held !== undefined && held.id !== m.id && held.expires > e.now) {
          return {
            state: s,
            outputs: [
              { _tag: "Send", to: e.from, message: { _tag: "Busy", lock: m.lock, id: m.id, expires: held.expires } }
            ]
          }
        }
        event = {
          ...e,
          message: {
            _tag: "Propose",
            id: acquireId(m.id),
            command: { _tag: "Acquire", lock: m.lock, ttl: m.ttl, id: m.id, holder: e.from, at: e.now }
          }
        }
        break
      }
      case "Release":
        event = {
          ...e,
          message: {
            _tag: "Propose",
            id: releaseId(m.lock, m.token),
            command: { _tag: "Release", lock: m.lock, token: m.token, at: e.now }
          }
        }
        break
      case "Granted":
      case "Busy":
      case "LockRedirect":
      case "LockReleased":
      case "LockOverloaded":
        return { state: s, outputs: [] }
      default:
        event = { ...e, message: m }
    }
  } else event = e
  const next = raftStep(s.raft, event)
  let machine = s.machine
  const results = new Map<string, LockResult>()
  const out: Array<Out> = []
  for (const o of next.outputs) {
    if (o._tag === "Emit") {
      if (o.value._tag !== "Applied" || o.value.entry.command === undefined) continue
      const cmd = o.value.entry.command
      const applied = applyLockCommand(machine, cmd, grantWhileHeld)
      machine = applied.machine
      results.set(o.value.entry.id, applied.result)
      if (applied.result._tag === "Granted" && cmd._tag === "Acquire") {
        out.push({
          _tag: "Emit",
          value: {
            _tag: "Grant",
            lock: cmd.lock,
            token: applied.result.token,
            holder: cmd.holder,
            expires: applied.result.expires
          }
        })
      } else if (applied.result._tag === "Released") {
        out.push({ _tag: "Emit", value: { _tag: "Free", lock: cmd.lock, token: applied.result.token } })
      }
    } else if (o._tag === "Send" && o.message._tag === "ProposeReply") {
      const reply = o.message
      if (reply.id.startsWith("release:")) {
        // Releases are acknowledged once committed; a non-leader points to the leader.
        if (reply.status === "not-leader")
          out.push({ _tag: "Send", to: o.to, message: { _tag: "LockRedirect", id: reply.id, leader: reply.leader } })
        const released = reply.status === "committed" ? next.state.log.entry(reply.index)?.command : undefined
        if (released?._tag === "Release")
          out.push({
            _tag: "Send",
            to: o.to,
            message: { _tag: "LockReleased", lock: released.lock, token: released.token }
          })
        continue
      }
      const request = requestOf(reply.id)
      if (request === undefined) continue
      if (reply.status === "not-leader")
        out.push({ _tag: "Send", to: o.to, message: { _tag: "LockRedirect", id: request, leader: reply.leader } })
      if (reply.status === "log-full")
        out.push({
          _tag: "Send",
          to: o.to,
          message: { _tag: "LockOverloaded", id: request, maxLog: s.raft.config.maxLog }
        })
      const entry = next.state.log.entry(reply.index)
      if (reply.status !== "committed" || entry?.id !== reply.id || entry.command?._tag !== "Acquire") continue
      out.push({ _tag: "Send", to: o.to, message: answer(machine, entry.command, results.get(reply.id), e.now) })
    } else out.push(o)
  }
  return { state: { raft: next.state, machine }, outputs: out }
}

/**
 * Options of the Raft lock.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftLockOptions {
  /** Raft's configuration (members, endpoint id, timing, bounds). */
  readonly raft: RaftConfig
  /** Locks tracked by the machine (default 10 000). */
  readonly maxLocks?: number
  /** Deliberately broken: grant even while an unexpired lease is held. Never set in production. */
  readonly unsafeGrantWhileHeld?: boolean
}

/**
 * The Raft lock as a `Protocol` (endpoint id `raft.service`); persists Raft's term, vote and log.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRaftLock = (
  options: RaftLockOptions
): Protocol<RaftLockState, RaftLockMessage, RaftPersisted<LockCommand>, LockEmit> => {
  const init = raftInit<LockCommand>(options.raft)
  const broken = options.unsafeGrantWhileHeld === true
  return {
    name: options.raft.service,
    init: (self: Address, persisted) => ({ raft: init(self, persisted), machine: emptyLockMachine(options.maxLocks) }),
    step: (s, e) => raftLockStep(s, e, broken),
    persist: (s) => ({ term: s.raft.term, votedFor: s.raft.votedFor, log: s.raft.log }),
    isMessage: (u): u is RaftLockMessage =>
      isLockMessage(u) ||
      isLockRedirect(u) ||
      isLockReleased(u) ||
      isLockOverloaded(u) ||
      isRaftMessage(u, isLockCommand)
  }
}
