/**
 * Byzantine replicas for the simulator. Each runs the honest step for its bookkeeping (so it
 * looks like a working replica) and tampers with what it sends. It signs with its own key only:
 * it cannot sign as anyone else.
 * - `equivocatorStep`: as primary it pre-prepares different requests at one sequence number to
 *   the two halves of the backups; as any replica it also prepares and commits a forged value
 *   next to every vote (and, to the second half, a vote for that other request), and its
 *   view-changes hide its prepared certificates.
 * - `silentStep`: never sends anything (a crashed or mute replica, or a silent primary).
 * - `forgerStep`: honest, plus, while requests wait, forged messages naming other replicas as
 *   their senders, to one victim: commits and prepares of another value (a genuine request
 *   ordered elsewhere, or a made-up one) for its next two sequence numbers, a pre-prepare in the
 *   primary's name, and a forged move to the next view (view-changes of 2f + 1 replicas with
 *   forged prepared certificates, and their new-view). Signed replicas ignore them all; without
 *   signatures (`unsignedCrypto`) the victim commits the other value: agreement breaks.
 * - `silentPrimaryStep`: honest as a backup, silent while it is the primary.
 * An honest group must stay safe with up to f of these, and live once the network heals.
 *
 * @since 0.1.0
 */
import { type Event, send, type Step } from "../Protocol.ts"
import type { Out } from "./core.ts"
import { primaryOf, quorumOf, signed } from "./messages.ts"
import { pbftStep } from "./Pbft.ts"
import type {
  ClientRequest,
  Commit,
  NewView,
  PbftEmit,
  PbftMessage,
  PbftState,
  PrePrepare,
  Prepare,
  ViewChange
} from "./types.ts"
import { planNewView } from "./ViewChange.ts"

type S = PbftState
type Result = Step<S, PbftMessage, PbftEmit>

/** Runs the honest step and rewrites each of its sends with `tamper` (it may drop or add messages). */
const tampered =
  (tamper: (s: S, to: string, message: PbftMessage, out: Array<Out>) => void) =>
  (s: S, e: Event<PbftMessage>): Result => {
    const next = pbftStep(s, e)
    const out: Array<Out> = []
    for (const o of next.outputs) {
      if (o._tag === "Send" && next.state.config.replicas.includes(o.to.node))
        tamper(next.state, o.to.node, o.message, out)
      else out.push(o)
    }
    return { state: next.state, outputs: out }
  }

const to = (s: S, node: string) => ({ node, id: s.config.service })

/** The request an equivocator offers instead of `value`: the first other one it knows of, by value. */
const alternative = (s: S, value: string): ClientRequest | undefined => {
  const known = new Map<string, ClientRequest>()
  for (const r of Object.values(s.pending)) known.set(r.value, r)
  for (const slot of Object.values(s.slots))
    if (slot.prePrepare?.request) known.set(slot.prePrepare.request.value, slot.prePrepare.request)
  return [...known.values()].filter((r) => r.value !== value).sort((a, b) => (a.value < b.value ? -1 : 1))[0]
}

/**
 * One step of an equivocating replica (see the module doc).
 *
 * @since 0.1.0
 * @category utils
 */
export const equivocatorStep = tampered((s, node, m, out) => {
  const say = (message: PbftMessage) => out.push(send(to(s, node), message))
  const self = s.self.node
  switch (m._tag) {
    case "PrePrepare": {
      const others = s.config.replicas.filter((r) => r !== self)
      if (m.request === null || others.indexOf(node) < others.length / 2) return say(m)
      // The second half gets another request at the same sequence number (or nothing).
      const other = alternative(s, m.request.value)
      if (other !== undefined) say(signed<PrePrepare>(s.auth, { ...m, request: other }))
      return
    }
    case "Prepare":
    case "Commit": {
      say(m)
      // A forged value to everyone, and every other request it knows of to the second half.
      const others = s.config.replicas.filter((r) => r !== self)
      const second = others.indexOf(node) >= others.length / 2
      const other = second ? alternative(s, m.value) : undefined
      const values = [`${m.value}#forged`, ...(other === undefined ? [] : [other.value])]
      for (const value of values) {
        const vote = { view: m.view, seq: m.seq, value, replica: self }
        say(
          m._tag === "Prepare"
            ? signed<Prepare>(s.auth, { _tag: "Prepare", ...vote })
            : signed<Commit>(s.auth, { _tag: "Commit", ...vote })
        )
      }
      return
    }
    case "ViewChange":
      return say(
        signed<ViewChange>(s.auth, { _tag: "ViewChange", view: m.view, stable: m.stable, prepared: [], replica: self })
      )
    default:
      return say(m)
  }
})

/**
 * One step of a silent (crashed or mute) replica: it never sends anything.
 *
 * @since 0.1.0
 * @category utils
 */
export const silentStep = (s: S, _e: Event<PbftMessage>): Result => ({ state: s, outputs: [] })

/**
 * One step of a replica that is honest as a backup and silent while it is the primary of its view.
 *
 * @since 0.1.0
 * @category utils
 */
export const silentPrimaryStep = (s: S, e: Event<PbftMessage>): Result => {
  const next = pbftStep(s, e)
  return primaryOf(next.state.config, next.state.view) === next.state.self.node
    ? { state: next.state, outputs: [] }
    : next
}

/**
 * A forged move to the next view: view-changes naming 2f + 1 replicas, each with a forged prepared
 * certificate of `pp`, and the new-view they determine, naming the next primary.
 */
const forgedNewView = (s: S, pp: PrePrepare): ReadonlyArray<PbftMessage> => {
  const view = s.view + 1
  const q = quorumOf(s.config)
  const value = pp.request?.value ?? ""
  const prepares = s.config.replicas
    .filter((r) => r !== pp.replica)
    .slice(0, q - 1)
    .map((replica) => signed<Prepare>(s.auth, { _tag: "Prepare", view: pp.view, seq: pp.seq, value, replica }))
  const prepared = pp.seq > s.stable.seq ? [{ prePrepare: pp, prepares }] : []
  const viewChanges = s.config.replicas
    .slice(0, q)
    .map((replica) => signed<ViewChange>(s.auth, { _tag: "ViewChange", view, stable: s.stable, prepared, replica }))
  const primary = primaryOf(s.config, view)
  const prePrepares = planNewView(viewChanges).requests.map(({ request, seq }) =>
    signed<PrePrepare>(s.auth, { _tag: "PrePrepare", view, seq, request, replica: primary })
  )
  return [
    ...viewChanges,
    signed<NewView>(s.auth, { _tag: "NewView", view, viewChanges, prePrepares, replica: primary })
  ]
}

/** The forged messages of one resend while requests wait: they name other replicas as senders (signed with the forger's own key). */
const forgeries = (s: S): Array<Out> => {
  const self = s.self.node
  const others = s.config.replicas.filter((r) => r !== self)
  const victim = others[0] ?? self
  const out: Array<Out> = []
  if (Object.keys(s.pending).length === 0) return out
  for (let seq = s.committedUpTo + 1; seq <= s.committedUpTo + 2; seq++) {
    // A genuine request other than the one ordered at seq (if it knows one), or a made-up one.
    const ordered = s.slots[seq]?.prePrepare?.request?.value ?? ""
    const request = alternative(s, ordered) ?? {
      client: "client",
      value: `forged-${seq}`,
      sig: s.auth.sign(`forged-${seq}`)
    }
    const value = request.value
    const pp = signed<PrePrepare>(s.auth, {
      _tag: "PrePrepare",
      view: s.view,
      seq,
      request,
      replica: primaryOf(s.config, s.view)
    })
    if (seq === s.committedUpTo + 1) for (const m of forgedNewView(s, pp)) out.push(send(to(s, victim), m))
    for (const r of others) out.push(send(to(s, r), pp))
    for (const claimed of s.config.replicas) {
      out.push(
        send(to(s, victim), signed<Commit>(s.auth, { _tag: "Commit", view: s.view, seq, value, replica: claimed }))
      )
      if (claimed !== primaryOf(s.config, s.view)) {
        out.push(
          send(to(s, victim), signed<Prepare>(s.auth, { _tag: "Prepare", view: s.view, seq, value, replica: claimed }))
        )
      }
    }
  }
  return out
}

/**
 * One step of a forger: honest, plus forged messages on every resend (see the module doc).
 *
 * @since 0.1.0
 * @category utils
 */
export const forgerStep = (s: S, e: Event<PbftMessage>): Result => {
  const next = pbftStep(s, e)
  return e._tag === "Timer" && e.key === "resend"
    ? { state: next.state, outputs: [...next.outputs, ...forgeries(next.state)] }
    : next
}
