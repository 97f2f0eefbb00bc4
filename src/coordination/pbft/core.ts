/**
 * The replica's shared state transitions: moving a slot from pre-prepared to prepared to
 * committed, advancing the committed prefix and checkpoints, the primary assigning pending
 * requests, and arming the view-change timer. Used by the normal case (`Pbft.ts`) and the
 * view change (`ViewChange.ts`).
 *
 * @since 0.1.0
 */
import { emit, type Output, send, setTimer } from "../Protocol.ts"
import { extendChain, primaryOf, quorumOf, signed, valueOf } from "./messages.ts"
import type { Checkpoint, Commit, PbftEmit, PbftMessage, PbftState, PrePrepare, Reply, Slot } from "./types.ts"

type S = PbftState
/**
 * An output of a replica step.
 *
 * @since 0.1.0
 * @category models
 */
export type Out = Output<PbftMessage, PbftEmit>

/**
 * A slot nothing is known of, in `view`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptySlot = (view: number): Slot => ({
  view,
  prePrepare: undefined,
  prepares: {},
  commits: {},
  prepared: undefined,
  committed: undefined,
  commitCert: []
})

/**
 * Sends `message` to every other replica.
 *
 * @since 0.1.0
 * @category utils
 */
export const broadcast = (s: S, message: PbftMessage, out: Array<Out>): void => {
  for (const r of s.config.replicas) if (r !== s.self.node) out.push(send({ node: r, id: s.config.service }, message))
}

/**
 * Sends `message` to `node`'s PBFT endpoint.
 *
 * @since 0.1.0
 * @category utils
 */
export const sendTo = (s: S, node: string, message: PbftMessage, out: Array<Out>): void => {
  out.push(send({ node, id: s.config.service }, message))
}

/**
 * Whether this replica is the primary of its current view.
 *
 * @since 0.1.0
 * @category guards
 */
export const isPrimary = (s: S): boolean => primaryOf(s.config, s.view) === s.self.node

/**
 * Whether `seq` lies between the low-water mark (the stable checkpoint) and the high one (`keep` above).
 *
 * @since 0.1.0
 * @category utils
 */
export const inLog = (s: S, seq: number): boolean => seq > s.stable.seq && seq <= s.stable.seq + s.config.keep

/**
 * Slot `seq` as of the current view: the pre-prepare and prepares of an older view are dropped.
 *
 * @since 0.1.0
 * @category utils
 */
export const currentSlot = (s: S, seq: number): Slot => {
  const slot = s.slots[seq] ?? emptySlot(s.view)
  return slot.view === s.view ? slot : { ...slot, view: s.view, prePrepare: undefined, prepares: {} }
}

/**
 * `s` with slot `seq` replaced.
 *
 * @since 0.1.0
 * @category utils
 */
export const withSlot = (s: S, seq: number, slot: Slot): S => ({ ...s, slots: { ...s.slots, [seq]: slot } })

/**
 * Whether `commits` holds `c`'s vote.
 *
 * @since 0.1.0
 * @category guards
 */
export const hasCommit = (commits: Slot["commits"], c: Commit): boolean =>
  commits[c.view]?.[c.value]?.[c.replica] !== undefined

/**
 * Adds a commit vote (one per replica, view and value; at most n values per view).
 *
 * @since 0.1.0
 * @category utils
 */
export const addCommit = (s: S, commits: Slot["commits"], c: Commit): Slot["commits"] => {
  const byValue = commits[c.view] ?? {}
  const byReplica = byValue[c.value]
  if (
    byReplica?.[c.replica] !== undefined ||
    (byReplica === undefined && Object.keys(byValue).length >= s.config.replicas.length)
  )
    return commits
  return { ...commits, [c.view]: { ...byValue, [c.value]: { ...byReplica, [c.replica]: c } } }
}

/**
 * Arms (or with `restart`, re-arms) the view-change timer while requests wait; cancels it otherwise.
 *
 * @since 0.1.0
 * @category utils
 */
export const rearm = (s: S, now: number, out: Array<Out>, restart = false): S => {
  if (s.config.unsafeNoViewChange === true || s.status === "changing") return s
  if (Object.keys(s.pending).length === 0) {
    if (s.timerAt === undefined) return s
    out.push({ _tag: "CancelTimer", key: "view" })
    return { ...s, timerAt: undefined }
  }
  if (s.timerAt !== undefined && !restart) return s
  const at = now + s.timeout
  out.push(setTimer("view", at))
  return { ...s, timerAt: at }
}

/** Whether `value` is committed here or pre-prepared in the current view. */
const ordered = (s: S, value: string): boolean =>
  Object.values(s.slots).some(
    (slot) =>
      slot.committed === value ||
      (slot.view === s.view && slot.prePrepare !== undefined && valueOf(slot.prePrepare.request) === value)
  )

/**
 * The primary assigns sequence numbers to pending requests it has not ordered yet, within the window.
 *
 * @since 0.1.0
 * @category utils
 */
export const assign = (s: S, out: Array<Out>): S => {
  if (!isPrimary(s) || s.status !== "normal") return s
  let next = s
  for (const request of Object.values(s.pending)) {
    const seq = next.seq + 1
    if (seq > next.committedUpTo + next.config.window || !inLog(next, seq)) break
    if (ordered(next, request.value)) continue
    const pp = signed<PrePrepare>(s.auth, { _tag: "PrePrepare", view: s.view, seq, request, replica: s.self.node })
    broadcast(next, pp, out)
    next = withSlot({ ...next, seq }, seq, { ...currentSlot(next, seq), prePrepare: pp })
  }
  return next
}

/**
 * Records a checkpoint vote; 2f + 1 matching ones make it the stable checkpoint (old slots are pruned).
 *
 * @since 0.1.0
 * @category utils
 */
export const addCheckpoint = (s: S, c: Checkpoint): S => {
  if (c.seq <= s.stable.seq || c.seq % s.config.checkpointInterval !== 0 || !inLog(s, c.seq)) return s
  const byReplica = s.checkpoints[c.seq] ?? {}
  if (byReplica[c.replica] !== undefined) return s
  const votes = { ...byReplica, [c.replica]: c }
  const matching = Object.values(votes).filter((v) => v.digest === c.digest)
  if (matching.length < quorumOf(s.config)) return { ...s, checkpoints: { ...s.checkpoints, [c.seq]: votes } }
  return stabilize(s, { seq: c.seq, digest: c.digest, proof: matching.slice(0, quorumOf(s.config)) })
}

/**
 * Makes `stable` the stable checkpoint if it is newer; forgets votes below it and slots `keep` below it.
 *
 * @since 0.1.0
 * @category utils
 */
export const stabilize = (s: S, stable: S["stable"]): S => {
  if (stable.seq <= s.stable.seq) return s
  const checkpoints: Record<number, S["checkpoints"][number]> = {}
  for (const [key, votes] of Object.entries(s.checkpoints))
    if (Number(key) > stable.seq) checkpoints[Number(key)] = votes
  const slots: Record<number, Slot> = {}
  for (const [key, slot] of Object.entries(s.slots))
    if (Number(key) > stable.seq - s.config.keep) slots[Number(key)] = slot
  return { ...s, stable, checkpoints, slots, seq: Math.max(s.seq, stable.seq) }
}

/** Extends the committed prefix over committed slots, checkpointing every `checkpointInterval`. */
const advance = (s: S, out: Array<Out>): S => {
  let next = s
  let slot = next.slots[next.committedUpTo + 1]
  while (slot?.committed !== undefined) {
    const seq = next.committedUpTo + 1
    next = { ...next, committedUpTo: seq, chain: extendChain(next.chain, slot.committed) }
    if (seq % next.config.checkpointInterval === 0) {
      const c = signed<Checkpoint>(s.auth, { _tag: "Checkpoint", seq, digest: next.chain, replica: s.self.node })
      broadcast(next, c, out)
      next = addCheckpoint(next, c)
    }
    slot = next.slots[next.committedUpTo + 1]
  }
  return next
}

/** The value 2f + 1 matching commits of one view decided, and those commits. */
const decided = (
  slot: Slot,
  q: number
): { readonly value: string; readonly cert: ReadonlyArray<Commit> } | undefined => {
  for (const byValue of Object.values(slot.commits)) {
    for (const [value, byReplica] of Object.entries(byValue)) {
      const cert = Object.values(byReplica)
      if (cert.length >= q) return { value, cert: cert.slice(0, q) }
    }
  }
  return undefined
}

/**
 * Moves slot `seq` forward: pre-prepare and 2f matching prepares of this view → prepared (send
 * `Commit`); 2f + 1 matching commits of one view → committed (emit, reply to the client, restart
 * the timer: progress), then the committed prefix, checkpoints, and new assignments.
 *
 * @since 0.1.0
 * @category utils
 */
export const progress = (s: S, seq: number, now: number, out: Array<Out>): S => {
  let slot = s.slots[seq]
  if (slot === undefined) return s
  const q = quorumOf(s.config)
  const pp = slot.prePrepare
  if (pp !== undefined && slot.view === s.view && s.status === "normal" && slot.prepared?.prePrepare.view !== s.view) {
    const value = valueOf(pp.request)
    const primary = primaryOf(s.config, s.view)
    const matching = Object.values(slot.prepares).filter((p) => p.value === value && p.replica !== primary)
    if (matching.length >= q - 1) {
      const commit = signed<Commit>(s.auth, { _tag: "Commit", view: s.view, seq, value, replica: s.self.node })
      broadcast(s, commit, out)
      slot = {
        ...slot,
        prepared: { prePrepare: pp, prepares: matching.slice(0, q - 1) },
        commits: addCommit(s, slot.commits, commit)
      }
    }
  }
  let next = withSlot(s, seq, slot)
  if (slot.committed !== undefined) return next
  const done = decided(slot, q)
  if (done === undefined) return next
  next = withSlot(next, seq, { ...slot, committed: done.value, commitCert: done.cert })
  out.push(emit({ _tag: "Committed", seq, value: done.value }))
  const request = slot.prePrepare?.request ?? next.pending[done.value]
  if (request !== undefined && request !== null && request.value === done.value) {
    sendTo(
      next,
      request.client,
      signed<Reply>(s.auth, { _tag: "Reply", seq, value: done.value, replica: s.self.node }),
      out
    )
  }
  if (next.pending[done.value] !== undefined) {
    const { [done.value]: _, ...pending } = next.pending
    next = { ...next, pending, timeout: next.config.viewTimeout }
    next = rearm(next, now, out, true)
  }
  return assign(advance(next, out), out)
}
