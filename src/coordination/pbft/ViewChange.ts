/**
 * PBFT's view change (Castro & Liskov 1999, with signatures):
 * - a replica whose view-change timer expires (a request waited `timeout` ms without committing)
 *   moves to view v + 1: it stops the normal case and sends `ViewChange(v + 1)` with its stable
 *   checkpoint and a prepared certificate for every slot it prepared above it; the timeout
 *   doubles for the next view change (at most 4x the base; it resets when a request commits),
 *   and the timer of the new view starts only once 2f + 1 view-changes for it are known;
 * - a replica that sees view-changes of f + 1 others for views above its own joins the smallest;
 * - a replica behind (its view-change is for an older view) gets the new-view of this replica's
 *   view, or this replica's own view-change for that older view (so a quorum can form there);
 * - the primary of v + 1 (`replicas[(v + 1) mod n]`) with 2f + 1 valid view-changes sends
 *   `NewView`: those view-changes and, for every sequence number between the highest stable
 *   checkpoint (min-s) and the highest prepared one (max-s), a pre-prepare of the value of the
 *   highest-view prepared certificate, or the no-op if none;
 * - a replica accepts a new-view only if it recomputes the same pre-prepares from the same
 *   view-changes; it then prepares them in the new view.
 * Safety across views: a value committed at n in view v was prepared by f + 1 honest replicas,
 * one of which is among any 2f + 1 view-change senders, so every later new-view re-proposes it at
 * n (or n is below a stable checkpoint, which already covers it).
 *
 * @since 0.1.0
 */
import { emit } from "../Protocol.ts"
import {
  assign,
  broadcast,
  currentSlot,
  inLog,
  type Out,
  progress,
  rearm,
  sendTo,
  stabilize,
  withSlot
} from "./core.ts"
import { GENESIS, primaryOf, quorumOf, signed, validViewChange, valueOf, verified } from "./messages.ts"
import type {
  ClientRequest,
  NewView,
  PbftState,
  PrePrepare,
  Prepare,
  PreparedCert,
  StableCheckpoint,
  ViewChange
} from "./types.ts"

type S = PbftState

/**
 * What a new-view must contain, computed from its view-changes: min-s's checkpoint and the requests from min-s + 1 to max-s.
 *
 * @since 0.1.0
 * @category models
 */
export interface NewViewPlan {
  readonly stable: StableCheckpoint
  readonly requests: ReadonlyArray<{ readonly seq: number; readonly request: ClientRequest | null }>
}

/**
 * The pre-prepares 2f + 1 view-changes determine (deterministic in their order).
 *
 * @since 0.1.0
 * @category utils
 */
export const planNewView = (viewChanges: ReadonlyArray<ViewChange>): NewViewPlan => {
  let stable: StableCheckpoint = viewChanges[0]?.stable ?? { seq: 0, digest: GENESIS, proof: [] }
  for (const vc of viewChanges) if (vc.stable.seq > stable.seq) stable = vc.stable
  const best = new Map<number, PrePrepare>()
  for (const vc of viewChanges) {
    for (const cert of vc.prepared) {
      const pp = cert.prePrepare
      const known = best.get(pp.seq)
      if (pp.seq > stable.seq && (known === undefined || pp.view > known.view)) best.set(pp.seq, pp)
    }
  }
  const maxS = Math.max(stable.seq, ...best.keys())
  const requests: Array<{ readonly seq: number; readonly request: ClientRequest | null }> = []
  for (let seq = stable.seq + 1; seq <= maxS; seq++) requests.push({ seq, request: best.get(seq)?.request ?? null })
  return { stable, requests }
}

/**
 * Whether `nv` is a valid new-view: its primary's, 2f + 1 valid view-changes for its view, the pre-prepares they determine.
 *
 * @since 0.1.0
 * @category utils
 */
export const validNewView = (s: S, nv: NewView): boolean => {
  const { auth, config } = s
  const primary = primaryOf(config, nv.view)
  if (nv.replica !== primary || !verified(config, auth, nv)) return false
  const senders = new Set(nv.viewChanges.map((vc) => vc.replica))
  if (senders.size !== nv.viewChanges.length || senders.size < quorumOf(config)) return false
  if (!nv.viewChanges.every((vc) => vc.view === nv.view && validViewChange(config, auth, vc))) return false
  const plan = planNewView(nv.viewChanges)
  return (
    plan.requests.length === nv.prePrepares.length &&
    plan.requests.every((r, i) => {
      const pp = nv.prePrepares[i]
      return (
        pp !== undefined &&
        pp.view === nv.view &&
        pp.seq === r.seq &&
        pp.replica === primary &&
        valueOf(pp.request) === valueOf(r.request) &&
        verified(config, auth, pp)
      )
    })
  )
}

/** The prepared certificates of this replica above its stable checkpoint, by sequence number. */
const preparedCerts = (s: S): ReadonlyArray<PreparedCert> =>
  Object.entries(s.slots)
    .map(([key, slot]) => [Number(key), slot.prepared] as const)
    .filter((e): e is readonly [number, PreparedCert] => e[1] !== undefined && e[0] > s.stable.seq)
    .sort((a, b) => a[0] - b[0])
    .map(([, cert]) => cert)

/**
 * Moves to `view` (above the current one): sends a view-change and doubles the timeout (at most
 * 4x the base). The timer of the new view starts only once 2f + 1 view-changes for it are known
 * (`armChangeTimer`), so a replica ahead of the others waits for them instead of racing on.
 *
 * @since 0.1.0
 * @category utils
 */
export const startViewChange = (s: S, view: number, now: number, out: Array<Out>): S => {
  if (s.config.unsafeNoViewChange === true || view <= s.view) return s
  const vc = signed<ViewChange>(s.auth, {
    _tag: "ViewChange",
    view,
    stable: s.stable,
    prepared: preparedCerts(s),
    replica: s.self.node
  })
  broadcast(s, vc, out)
  if (s.timerAt !== undefined) out.push({ _tag: "CancelTimer", key: "view" })
  const next: S = {
    ...s,
    view,
    status: "changing",
    viewChanges: withViewChange(s.viewChanges, vc, view, s.config.replicas.length),
    timerAt: undefined,
    timeout: Math.min(s.timeout * 2, s.config.viewTimeout * 4)
  }
  return tryNewView(armChangeTimer(next, now, out), now, out)
}

/** While changing views, starts the timer once 2f + 1 view-changes for the view are known. */
const armChangeTimer = (s: S, now: number, out: Array<Out>): S => {
  if (s.status !== "changing" || s.timerAt !== undefined) return s
  if (Object.keys(s.viewChanges[s.view] ?? {}).length < quorumOf(s.config)) return s
  const at = now + s.timeout
  out.push({ _tag: "SetTimer", key: "view", at })
  return { ...s, timerAt: at }
}

/** The new primary, with 2f + 1 view-changes for its view, sends the new-view and enters the view. */
const tryNewView = (s: S, now: number, out: Array<Out>): S => {
  if (s.status !== "changing" || primaryOf(s.config, s.view) !== s.self.node) return s
  const vcs = Object.values(s.viewChanges[s.view] ?? {}).sort((a, b) => (a.replica < b.replica ? -1 : 1))
  if (vcs.length < quorumOf(s.config)) return s
  const viewChanges = vcs.slice(0, quorumOf(s.config))
  const prePrepares = planNewView(viewChanges).requests.map(({ request, seq }) =>
    signed<PrePrepare>(s.auth, { _tag: "PrePrepare", view: s.view, seq, request, replica: s.self.node })
  )
  const nv = signed<NewView>(s.auth, { _tag: "NewView", view: s.view, viewChanges, prePrepares, replica: s.self.node })
  broadcast(s, nv, out)
  return enterView(s, nv, now, out)
}

/** Enters the view of a valid new-view: adopts its checkpoint, prepares its pre-prepares, re-arms the timer. */
const enterView = (s: S, nv: NewView, now: number, out: Array<Out>): S => {
  const plan = planNewView(nv.viewChanges)
  const last = nv.prePrepares.at(-1)?.seq ?? plan.stable.seq
  let next: S = stabilize(
    { ...s, view: nv.view, status: "normal", newView: nv, timerAt: undefined, seq: Math.max(plan.stable.seq, last) },
    plan.stable
  )
  const backup = primaryOf(s.config, nv.view) !== s.self.node
  for (const pp of nv.prePrepares) {
    if (!inLog(next, pp.seq)) continue
    let slot = { ...currentSlot(next, pp.seq), prePrepare: pp }
    if (backup) {
      const prepare = signed<Prepare>(s.auth, {
        _tag: "Prepare",
        view: nv.view,
        seq: pp.seq,
        value: valueOf(pp.request),
        replica: s.self.node
      })
      broadcast(next, prepare, out)
      slot = { ...slot, prepares: { ...slot.prepares, [s.self.node]: prepare } }
    }
    next = withSlot(next, pp.seq, slot)
  }
  out.push(emit({ _tag: "ViewChanged", view: nv.view }))
  if (s.timerAt !== undefined) out.push({ _tag: "CancelTimer", key: "view" })
  next = rearm(next, now, out)
  for (const pp of nv.prePrepares) next = progress(next, pp.seq, now, out)
  return assign(next, out)
}

/** Adds `vc`, keeping views within n below and 2n above `view` (the own view-changes of recent views are resent to replicas behind). */
const withViewChange = (all: S["viewChanges"], vc: ViewChange, view: number, n: number): S["viewChanges"] => {
  const kept: Record<number, S["viewChanges"][number]> = {}
  for (const [key, byReplica] of Object.entries(all)) if (Number(key) >= view - n) kept[Number(key)] = byReplica
  return { ...kept, [vc.view]: { ...kept[vc.view], [vc.replica]: vc } }
}

/**
 * Handles a view-change of another replica (signature and certificates checked here). A sender
 * behind gets the new-view of this view, or this replica's own view-change for the sender's view
 * (it may need it for a quorum there, and then time out to where this replica is).
 *
 * @since 0.1.0
 * @category utils
 */
export const onViewChange = (s: S, vc: ViewChange, now: number, out: Array<Out>): S => {
  const n = s.config.replicas.length
  if (vc.replica === s.self.node || vc.view > s.view + 2 * n || vc.view < s.view - n) return s
  if (vc.view <= s.view && verified(s.config, s.auth, vc)) {
    const mine = s.viewChanges[vc.view]?.[s.self.node]
    if (s.newView !== undefined && s.status === "normal") sendTo(s, vc.replica, s.newView, out)
    else if (vc.view < s.view && mine !== undefined) sendTo(s, vc.replica, mine, out)
  }
  if (vc.view < s.view || s.viewChanges[vc.view]?.[vc.replica] !== undefined) return s
  if (!validViewChange(s.config, s.auth, vc)) return s
  let next: S = { ...s, viewChanges: withViewChange(s.viewChanges, vc, s.view, n) }
  const ahead = new Map<string, number>()
  for (const [key, byReplica] of Object.entries(next.viewChanges)) {
    if (Number(key) <= next.view) continue
    for (const r of Object.keys(byReplica))
      if (r !== s.self.node) ahead.set(r, Math.min(ahead.get(r) ?? Infinity, Number(key)))
  }
  if (ahead.size >= s.config.f + 1) next = startViewChange(next, Math.min(...ahead.values()), now, out)
  return tryNewView(armChangeTimer(next, now, out), now, out)
}

/**
 * Handles a new-view: a valid one for a later view (or the one this replica waits for) is entered.
 *
 * @since 0.1.0
 * @category utils
 */
export const onNewView = (s: S, nv: NewView, now: number, out: Array<Out>): S => {
  if (s.config.unsafeNoViewChange === true) return s
  if (nv.view < s.view || (nv.view === s.view && s.status === "normal")) return s
  return validNewView(s, nv) ? enterView(s, nv, now, out) : s
}
