/**
 * PBFT-style Byzantine agreement (normal case) as a pure step function: n ≥ 3f + 1 replicas, a
 * fixed primary (view 0). The primary orders client `Request`s by assigning sequence numbers
 * (`PrePrepare`); a replica accepts the first pre-prepare of a sequence number from the primary
 * and broadcasts `Prepare`; with 2f + 1 matching prepares (its own included) the slot is prepared
 * and it broadcasts `Commit`; with 2f + 1 matching commits the value is committed (`Committed`).
 * Any two quorums of 2f + 1 share an honest replica, and an honest replica prepares one value
 * per sequence number, so honest replicas never commit different values at one sequence number,
 * whatever f replicas (the primary included) send. Votes on uncommitted slots are resent every
 * `resend` ms, and a replica behind fetches the votes on its first `window` uncommitted slots.
 *
 * Scope: no view change, so a faulty primary can stop progress (never safety); no checkpoints
 * (slots beyond `keep` are forgotten); no request authentication (messages are trusted to come
 * from their sender's address, as on the simulated network).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { InvalidInput } from "../../errors/index.ts"
import { emit, type Event, type Output, type Protocol, send, setTimer, type Step } from "../Protocol.ts"
import type { PbftConfig, PbftEmit, PbftMessage, PbftState, Slot } from "./types.ts"

type S = PbftState
type Out = Output<PbftMessage, PbftEmit>

const emptySlot: Slot = { pre: undefined, prepares: {}, commits: {}, prepared: undefined, committed: undefined }

/** The quorum of a configuration: 2f + 1 (or the broken `unsafeQuorum`). */
export const quorumOf = (config: PbftConfig): number => config.unsafeQuorum ?? 2 * config.f + 1

/** Whether `config` is well-formed: n ≥ 3f + 1, f ≥ 0, the primary a replica. */
export const isValidPbftConfig = (config: PbftConfig): boolean =>
  config.f >= 0 && config.replicas.length >= 3 * config.f + 1 && config.replicas.includes(config.primary) &&
  new Set(config.replicas).size === config.replicas.length

const broadcast = (s: S, message: PbftMessage, out: Array<Out>) => {
  for (const r of s.config.replicas) if (r !== s.self.node) out.push(send({ node: r, id: s.config.service }, message))
}

const vote = (votes: Readonly<Record<string, ReadonlyArray<string>>>, value: string, from: string) =>
  votes[value]?.includes(from) === true ? votes : { ...votes, [value]: [...(votes[value] ?? []), from] }

/** Moves slot `seq` forward: prepared → broadcast Commit; committed → emit. */
const progress = (s: S, seq: number, out: Array<Out>): S => {
  let slot = s.slots[seq] ?? emptySlot
  const q = quorumOf(s.config)
  const pre = slot.pre
  if (slot.prepared === undefined && pre !== undefined && (slot.prepares[pre]?.length ?? 0) >= q) {
    slot = { ...slot, prepared: pre, commits: vote(slot.commits, pre, s.self.node) }
    broadcast(s, { _tag: "Commit", seq, value: pre }, out)
  }
  const prepared = slot.prepared
  if (prepared !== undefined && slot.committed === undefined && (slot.commits[prepared]?.length ?? 0) >= q) {
    slot = { ...slot, committed: prepared }
    out.push(emit({ _tag: "Committed", seq, value: prepared }))
  }
  let next: S = { ...s, slots: { ...s.slots, [seq]: slot } }
  let upTo = next.committedUpTo
  while (next.slots[upTo + 1]?.committed !== undefined) upTo++
  if (upTo !== next.committedUpTo) next = prune({ ...next, committedUpTo: upTo })
  return next
}

const prune = (s: S): S => {
  const seqs = Object.keys(s.slots).map(Number).sort((a, b) => a - b)
  if (seqs.length <= s.config.keep) return s
  const slots: Record<number, Slot> = { ...s.slots }
  for (const seq of seqs.slice(0, seqs.length - s.config.keep)) if (seq <= s.committedUpTo) delete slots[seq]
  return { ...s, slots }
}

const accept = (s: S, seq: number, value: string, out: Array<Out>): S => {
  const slot = s.slots[seq] ?? emptySlot
  if (slot.pre !== undefined || seq <= s.committedUpTo || seq > s.committedUpTo + s.config.window) return s
  broadcast(s, { _tag: "Prepare", seq, value }, out)
  return progress({ ...s, slots: { ...s.slots, [seq]: { ...slot, pre: value, prepares: vote(slot.prepares, value, s.self.node) } } }, seq, out)
}

/** This replica's votes on a slot: its pre-prepare (primary only), prepare and commit. */
const votesOn = (s: S, seq: number, slot: Slot, say: (message: PbftMessage) => void) => {
  if (slot.pre === undefined) return
  if (s.self.node === s.config.primary) say({ _tag: "PrePrepare", seq, value: slot.pre })
  say({ _tag: "Prepare", seq, value: slot.pre })
  if (slot.prepared !== undefined) say({ _tag: "Commit", seq, value: slot.prepared })
}

/** One honest replica step. Pure and total. */
export const pbftStep = (s: S, e: Event<PbftMessage>): Step<S, PbftMessage, PbftEmit> => {
  const out: Array<Out> = []
  if (e._tag === "Start") return { state: s, outputs: [setTimer("resend", e.now + s.config.resend)] }
  if (e._tag === "Timer") {
    if (e.key !== "resend") return { state: s, outputs: [] }
    for (const [key, slot] of Object.entries(s.slots)) {
      const seq = Number(key)
      if (seq > s.committedUpTo) votesOn(s, seq, slot, (message) => broadcast(s, message, out))
    }
    broadcast(s, { _tag: "Fetch", seq: s.committedUpTo + 1 }, out)
    out.push(setTimer("resend", e.now + s.config.resend))
    return { state: s, outputs: out }
  }
  const m = e.message
  const from = e.from.node
  if (m._tag === "Request") {
    if (s.self.node !== s.config.primary || s.seq >= s.committedUpTo + s.config.window) return { state: s, outputs: [] }
    const seq = s.seq + 1
    broadcast(s, { _tag: "PrePrepare", seq, value: m.value }, out)
    return { state: accept({ ...s, seq }, seq, m.value, out), outputs: out }
  }
  if (!s.config.replicas.includes(from) || e.from.id !== s.config.service) return { state: s, outputs: [] }
  if (m._tag === "Fetch") {
    for (let seq = m.seq; seq < m.seq + s.config.window; seq++) {
      const slot = s.slots[seq]
      if (slot !== undefined) votesOn(s, seq, slot, (message) => out.push(send(e.from, message)))
    }
    return { state: s, outputs: out }
  }
  if (m._tag === "PrePrepare") return { state: from === s.config.primary ? accept(s, m.seq, m.value, out) : s, outputs: out }
  const slot = s.slots[m.seq]
  if (m.seq <= s.committedUpTo && slot === undefined) return { state: s, outputs: [] }
  if (m.seq > s.committedUpTo + s.config.window) return { state: s, outputs: [] }
  const base = slot ?? emptySlot
  const updated = m._tag === "Prepare"
    ? { ...base, prepares: vote(base.prepares, m.value, from) }
    : { ...base, commits: vote(base.commits, m.value, from) }
  return { state: progress({ ...s, slots: { ...s.slots, [m.seq]: updated } }, m.seq, out), outputs: out }
}

/** Structural check of an inbound PBFT message. */
export const isPbftMessage = (u: unknown): u is PbftMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  const seq = typeof o["seq"] === "number" && Number.isSafeInteger(o["seq"]) && (o["seq"] as number) >= 1
  if (o["_tag"] === "Fetch") return seq
  if (typeof o["value"] !== "string") return false
  if (o["_tag"] === "Request") return true
  return seq && (o["_tag"] === "PrePrepare" || o["_tag"] === "Prepare" || o["_tag"] === "Commit")
}

/** Default bounds: window 16, keep 64, resend every 60 ms. */
export const defaultPbftConfig = (replicas: ReadonlyArray<string>, f: number): PbftConfig => ({
  replicas,
  f,
  primary: replicas[0] ?? "",
  service: "pbft",
  window: 16,
  keep: 64,
  resend: 60
})

/** Checks a configuration before use; fails with `InvalidInput` unless n ≥ 3f + 1 distinct replicas include the primary. */
export const validatePbftConfig = (config: PbftConfig): Effect.Effect<PbftConfig, InvalidInput> =>
  isValidPbftConfig(config)
    ? Effect.succeed(config)
    : Effect.fail(new InvalidInput({
      where: "Pbft.config",
      issue: `needs n >= 3f + 1 distinct replicas including the primary (n = ${config.replicas.length}, f = ${config.f}, primary "${config.primary}")`
    }))

/** An honest replica as a `Protocol` (check `config` with `validatePbftConfig` first); persists its whole state. */
export const makePbft = (config: PbftConfig): Protocol<S, PbftMessage, S, PbftEmit> => ({
  name: config.service,
  init: (self, persisted) => persisted ?? { self, config, seq: 0, slots: {}, committedUpTo: 0 },
  step: pbftStep,
  persist: (s) => s,
  isMessage: isPbftMessage
})
