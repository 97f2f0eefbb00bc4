/**
 * A Byzantine replica for the simulator: it equivocates. As primary it pre-prepares value `A`
 * to half the replicas and `B` to the rest; as any replica it prepares and commits both the value
 * it saw and a forged one, to everyone, again at every resend (for its latest sequence number).
 * An honest group must stay safe with up to f of these.
 *
 * @since 0.1.0
 */
import { type Event, type Output, send, setTimer, type Step } from "../Protocol.ts"
import type { PbftEmit, PbftMessage, PbftState } from "./types.ts"

type Out = Output<PbftMessage, PbftEmit>

const both = (s: PbftState, seq: number, value: string, out: Array<Out>) => {
  for (const r of s.config.replicas) {
    if (r === s.self.node) continue
    const to = { node: r, id: s.config.service }
    for (const v of [value, `${value}#forged`]) {
      out.push(send(to, { _tag: "Prepare", seq, value: v }), send(to, { _tag: "Commit", seq, value: v }))
    }
  }
}

const split = (s: PbftState, seq: number, value: string, out: Array<Out>) => {
  const others = s.config.replicas.filter((r) => r !== s.self.node)
  others.forEach((r, i) => {
    const v = i < others.length / 2 ? `${value}#A` : `${value}#B`
    out.push(send({ node: r, id: s.config.service }, { _tag: "PrePrepare", seq, value: v }))
    both(s, seq, v, out)
  })
}

/** One step of an equivocating replica (state: the values it saw, in `slots[seq].pre`). */
export const equivocatorStep = (s: PbftState, e: Event<PbftMessage>): Step<PbftState, PbftMessage, PbftEmit> => {
  const out: Array<Out> = []
  const primary = s.self.node === s.config.primary
  if (e._tag === "Start") return { state: s, outputs: [setTimer("resend", e.now + s.config.resend)] }
  if (e._tag === "Timer") {
    for (const [key, slot] of Object.entries(s.slots)) {
      if (slot.pre === undefined || Number(key) !== s.seq) continue
      if (primary) split(s, Number(key), slot.pre, out)
      else both(s, Number(key), slot.pre, out)
    }
    out.push(setTimer("resend", e.now + s.config.resend))
    return { state: s, outputs: out }
  }
  const m = e.message
  const record = (seq: number, value: string): PbftState =>
    s.slots[seq] !== undefined || Object.keys(s.slots).length >= s.config.keep
      ? s
      : { ...s, seq: Math.max(s.seq, seq), slots: { ...s.slots, [seq]: { pre: value, prepares: {}, commits: {}, prepared: undefined, committed: undefined } } }
  if (m._tag === "Request" && primary) {
    const next = record(s.seq + 1, m.value)
    if (next !== s) split(next, next.seq, m.value, out)
    return { state: next, outputs: out }
  }
  if (m._tag === "PrePrepare" && !primary && e.from.node === s.config.primary) {
    const next = record(m.seq, m.value)
    if (next !== s) both(next, m.seq, m.value, out)
    return { state: next, outputs: out }
  }
  return { state: s, outputs: [] }
}

/** One step of a silent (crashed or mute) replica: it never sends anything. */
export const silentStep = (s: PbftState, _e: Event<PbftMessage>): Step<PbftState, PbftMessage, PbftEmit> => ({ state: s, outputs: [] })
