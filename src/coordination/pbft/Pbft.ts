/**
 * PBFT Byzantine agreement (Castro & Liskov 1999) as a pure step function: n ≥ 3f + 1 replicas,
 * the primary of view v is `replicas[v mod n]`.
 *
 * Normal case: clients send signed `Request`s to every replica. The primary orders a request by
 * assigning it a sequence number (`PrePrepare`); a backup accepts the first pre-prepare of a
 * sequence number in its view from that view's primary and broadcasts `Prepare`; the pre-prepare
 * and 2f matching prepares make the slot prepared (a certificate) and the replica broadcasts
 * `Commit`; 2f + 1 matching commits of one view commit the value (`Committed`, and a `Reply`
 * to the client). Every `checkpointInterval` committed slots a replica sends a `Checkpoint`;
 * 2f + 1 matching ones make it stable (the low-water mark; slots `keep` below it are forgotten).
 * Votes on uncommitted slots are resent every `resend` ms, and a replica behind fetches them
 * (and the commit certificates of slots it missed, and the new-view of a later view).
 *
 * View change (`ViewChange.ts`): a backup whose request waits `timeout` ms moves to the next view.
 *
 * Authentication: every replica message is signed (`auth.ts`) and checked before use; the
 * network's sender address is ignored, so a forged message (naming another replica) is dropped.
 *
 * Simplifications: checkpoints cover the committed sequence (a hash chain), there is no
 * application state to transfer, so a replica more than `keep` slots behind the stable
 * checkpoint cannot catch up; a request committed at two sequence numbers (a faulty primary
 * ordered it twice) is reported twice (de-duplicate when executing).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { InvalidInput } from "../../errors/index.ts"
import type { Address } from "../../transport/index.ts"
import { type Event, type Protocol, setTimer, type Step } from "../Protocol.ts"
import type { PbftAuth, PbftCrypto } from "./auth.ts"
import {
  addCheckpoint,
  addCommit,
  hasCommit,
  assign,
  broadcast,
  currentSlot,
  emptySlot,
  inLog,
  isPrimary,
  type Out,
  progress,
  rearm,
  sendTo,
  withSlot
} from "./core.ts"
import { GENESIS, isPbftMessage, primaryOf, signed, valueOf, verified, verifiedRequest } from "./messages.ts"
import type {
  ClientRequest,
  Commit,
  Fetch,
  PbftConfig,
  PbftEmit,
  PbftMessage,
  PbftPersisted,
  PbftState,
  PrePrepare,
  Prepare
} from "./types.ts"
import { onNewView, onViewChange, startViewChange } from "./ViewChange.ts"

type S = PbftState

/**
 * Whether `config` is well-formed: n ≥ 3f + 1 distinct replicas, positive bounds, `keep ≥ window`.
 *
 * @since 0.1.0
 * @category guards
 */
export const isValidPbftConfig = (config: PbftConfig): boolean =>
  Number.isSafeInteger(config.f) &&
  config.f >= 0 &&
  config.replicas.length >= 3 * config.f + 1 &&
  new Set(config.replicas).size === config.replicas.length &&
  [config.window, config.keep, config.resend, config.viewTimeout, config.checkpointInterval, config.maxPending].every(
    (n) => Number.isSafeInteger(n) && n >= 1
  ) &&
  config.keep >= config.window &&
  config.keep >= config.checkpointInterval

/**
 * Default bounds: window 16, keep 64, resend every 60 ms, view timeout 300 ms, a checkpoint every 8.
 *
 * @since 0.1.0
 * @category utils
 */
export const defaultPbftConfig = (replicas: ReadonlyArray<string>, f: number): PbftConfig => ({
  replicas,
  f,
  service: "pbft",
  window: 16,
  keep: 64,
  resend: 60,
  viewTimeout: 300,
  checkpointInterval: 8,
  maxPending: 256
})

/**
 * Checks a configuration before use; fails with `InvalidInput` unless it is well-formed.
 *
 * @since 0.1.0
 * @category utils
 */
export const validatePbftConfig = (config: PbftConfig): Effect.Effect<PbftConfig, InvalidInput> =>
  isValidPbftConfig(config)
    ? Effect.succeed(config)
    : Effect.fail(
        new InvalidInput({
          where: "Pbft.config",
          issue: `needs n >= 3f + 1 distinct replicas and positive bounds with keep >= window (n = ${config.replicas.length}, f = ${config.f})`
        })
      )

/**
 * The state of a fresh replica `self` in view 0.
 *
 * @since 0.1.0
 * @category utils
 */
export const pbftInit = (self: Address, config: PbftConfig, auth: PbftAuth): S => ({
  self,
  config,
  auth,
  view: 0,
  status: "normal",
  seq: 0,
  slots: {},
  committedUpTo: 0,
  chain: GENESIS,
  stable: { seq: 0, digest: GENESIS, proof: [] },
  checkpoints: {},
  pending: {},
  viewChanges: {},
  newView: undefined,
  timerAt: undefined,
  timeout: config.viewTimeout
})

/** Whether `value` is committed here (in the slots kept). */
const isCommitted = (s: S, value: string) => Object.values(s.slots).some((slot) => slot.committed === value)

/** Remembers a request that has to commit (arming the view-change timer). */
const addPending = (s: S, request: ClientRequest, now: number, out: Array<Out>): S => {
  const pending = Object.keys(s.pending)
  if (s.pending[request.value] !== undefined || pending.length >= s.config.maxPending || isCommitted(s, request.value))
    return s
  return rearm({ ...s, pending: { ...s.pending, [request.value]: request } }, now, out)
}

const onRequest = (s: S, request: ClientRequest, now: number, out: Array<Out>): S => {
  if (!verifiedRequest(s.config, s.auth, request)) return s
  for (const [key, slot] of Object.entries(s.slots)) {
    if (slot.committed === request.value) {
      sendTo(
        s,
        request.client,
        signed(s.auth, { _tag: "Reply", seq: Number(key), value: request.value, replica: s.self.node }),
        out
      )
      return s
    }
  }
  return assign(addPending(s, request, now, out), out)
}

const onPrePrepare = (s: S, m: PrePrepare, now: number, out: Array<Out>): S => {
  if (s.status !== "normal" || m.view !== s.view || isPrimary(s) || !inLog(s, m.seq) || m.request === null) return s
  const slot = currentSlot(s, m.seq)
  if (slot.prePrepare !== undefined || m.replica !== primaryOf(s.config, s.view)) return s
  if (!verified(s.config, s.auth, m) || !verifiedRequest(s.config, s.auth, m.request)) return s
  const prepare = signed<Prepare>(s.auth, {
    _tag: "Prepare",
    view: s.view,
    seq: m.seq,
    value: valueOf(m.request),
    replica: s.self.node
  })
  broadcast(s, prepare, out)
  const next = withSlot(s, m.seq, { ...slot, prePrepare: m, prepares: { ...slot.prepares, [s.self.node]: prepare } })
  return progress(addPending(next, m.request, now, out), m.seq, now, out)
}

const onPrepare = (s: S, m: Prepare, now: number, out: Array<Out>): S => {
  if (s.status !== "normal" || m.view !== s.view || !inLog(s, m.seq) || m.replica === primaryOf(s.config, s.view))
    return s
  const slot = currentSlot(s, m.seq)
  if (slot.prepares[m.replica] !== undefined || !verified(s.config, s.auth, m)) return s
  return progress(withSlot(s, m.seq, { ...slot, prepares: { ...slot.prepares, [m.replica]: m } }), m.seq, now, out)
}

const onCommit = (s: S, m: Commit, now: number, out: Array<Out>): S => {
  if (
    m.seq <= s.committedUpTo ||
    m.seq > s.stable.seq + s.config.keep ||
    m.view > s.view + 2 * s.config.replicas.length
  )
    return s
  const slot = s.slots[m.seq] ?? emptySlot(s.view)
  if (slot.committed !== undefined || hasCommit(slot.commits, m) || !verified(s.config, s.auth, m)) return s
  return progress(withSlot(s, m.seq, { ...slot, commits: addCommit(s, slot.commits, m) }), m.seq, now, out)
}

/** Answers a replica behind: the new-view it missed, commit certificates, this view's votes, the stable checkpoint. */
const onFetch = (s: S, m: Fetch, out: Array<Out>): void => {
  if (m.replica === s.self.node || !verified(s.config, s.auth, m)) return
  const say = (message: PbftMessage) => sendTo(s, m.replica, message, out)
  if (m.view < s.view && s.status === "normal" && s.newView !== undefined) say(s.newView)
  for (let seq = m.seq; seq < m.seq + s.config.window; seq++) {
    const slot = s.slots[seq]
    if (slot === undefined) continue
    if (slot.committed !== undefined) slot.commitCert.forEach(say)
    else if (slot.view === s.view && m.view === s.view && s.status === "normal") votesOn(s, slot, say)
  }
  if (m.seq <= s.stable.seq) s.stable.proof.forEach(say)
}

/** This replica's messages on a slot of the current view: the pre-prepare, its prepare and commit. */
const votesOn = (s: S, slot: S["slots"][number], say: (message: PbftMessage) => void) => {
  if (slot.prePrepare !== undefined) say(slot.prePrepare)
  const prepare = slot.prepares[s.self.node]
  if (prepare !== undefined) say(prepare)
  const commit =
    slot.prepared?.prePrepare.view === s.view
      ? slot.commits[s.view]?.[valueOf(slot.prepared.prePrepare.request)]?.[s.self.node]
      : undefined
  if (commit !== undefined) say(commit)
}

/** Whether this replica waits for something: a request, a new-view, or slots it knows of but has not committed. */
const waiting = (s: S): boolean =>
  s.status === "changing" ||
  Object.keys(s.pending).length > 0 ||
  s.stable.seq > s.committedUpTo ||
  Object.entries(s.slots).some(
    ([key, slot]) => Number(key) > s.committedUpTo && slot.committed === undefined && slot.prePrepare !== undefined
  )

const onResend = (s: S, now: number, out: Array<Out>): void => {
  const say = (message: PbftMessage) => broadcast(s, message, out)
  if (s.status === "normal") {
    for (const [key, slot] of Object.entries(s.slots)) {
      if (Number(key) > s.committedUpTo && slot.view === s.view) votesOn(s, slot, say)
    }
  } else {
    const vc = s.viewChanges[s.view]?.[s.self.node]
    if (vc !== undefined) say(vc)
  }
  for (const votes of Object.values(s.checkpoints)) {
    const mine = votes[s.self.node]
    if (mine !== undefined) say(mine)
  }
  const fetch = signed<Fetch>(s.auth, { _tag: "Fetch", seq: s.committedUpTo + 1, view: s.view, replica: s.self.node })
  if (waiting(s)) say(fetch)
  else {
    // Idle: ask one other replica per round (round robin), in case this one fell behind unawares.
    const others = s.config.replicas.filter((r) => r !== s.self.node)
    const peer = others[Math.floor(now / s.config.resend) % others.length]
    if (peer !== undefined) sendTo(s, peer, fetch, out)
  }
  out.push(setTimer("resend", now + s.config.resend))
}

const onReceive = (s: S, m: PbftMessage, now: number, out: Array<Out>): S => {
  switch (m._tag) {
    case "Request":
      return onRequest(s, m.request, now, out)
    case "PrePrepare":
      return onPrePrepare(s, m, now, out)
    case "Prepare":
      return onPrepare(s, m, now, out)
    case "Commit":
      return onCommit(s, m, now, out)
    case "Checkpoint":
      return verified(s.config, s.auth, m) ? addCheckpoint(s, m) : s
    case "ViewChange":
      return onViewChange(s, m, now, out)
    case "NewView":
      return onNewView(s, m, now, out)
    case "Fetch":
      onFetch(s, m, out)
      return s
    case "Reply":
      return s
  }
}

/**
 * One honest replica step. Pure and total.
 *
 * @since 0.1.0
 * @category utils
 */
export const pbftStep = (s: S, e: Event<PbftMessage>): Step<S, PbftMessage, PbftEmit> => {
  const out: Array<Out> = []
  switch (e._tag) {
    case "Start":
      out.push(setTimer("resend", e.now + s.config.resend))
      if (s.timerAt !== undefined) out.push(setTimer("view", Math.max(s.timerAt, e.now)))
      return { state: s, outputs: out }
    case "Timer":
      if (e.key === "resend") {
        onResend(s, e.now, out)
        return { state: s, outputs: out }
      }
      if (e.key !== "view" || s.timerAt === undefined) return { state: s, outputs: [] }
      if (s.status === "normal" && Object.keys(s.pending).length === 0)
        return { state: { ...s, timerAt: undefined }, outputs: [] }
      return { state: startViewChange({ ...s, timerAt: undefined }, s.view + 1, e.now, out), outputs: out }
    case "Receive":
      return { state: onReceive(s, e.message, e.now, out), outputs: out }
  }
}

/**
 * An honest replica as a `Protocol` (check `config` with `validatePbftConfig` first); `crypto` gives it its key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePbft = (
  config: PbftConfig,
  crypto: PbftCrypto
): Protocol<S, PbftMessage, PbftPersisted, PbftEmit> => ({
  name: config.service,
  init: (self, persisted) => {
    const auth = crypto.authFor(self.node)
    return persisted === undefined ? pbftInit(self, config, auth) : { ...persisted, auth }
  },
  step: pbftStep,
  persist: ({ auth: _, ...rest }) => rest,
  isMessage: isPbftMessage
})
