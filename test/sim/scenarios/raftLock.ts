/**
 * The Raft lock scenario: five members replicate the lock through Raft; three clients repeatedly
 * acquire one lock with short leases (following redirects to the leader), hold it for a random
 * time (sometimes beyond the lease) and release it. Crashes (members and clients, at most two
 * nodes down), partitions, drops and duplicates. Checks after every step: at most one client
 * believes it holds a valid lease, fencing tokens strictly increase, Raft's safety properties
 * hold among the members; at the end, a lock was granted again after the faults stopped.
 */
import type { Event, Output, Protocol } from "../../../src/coordination/index.ts"
import { Lock, Raft } from "../../../src/coordination/index.ts"
import type { LockInput, LockOutput, SimulateOptions } from "../../../src/sim/index.ts"
import { checkLinearizable, History, leaseLockModel, linearizabilityViolation } from "../../../src/sim/index.ts"
import type { Address } from "../../../src/transport/index.ts"

const members = ["n0", "n1", "n2", "n3", "n4"]
const clients = ["c1", "c2", "c3"]

interface Client {
  readonly _tag: "Client"
  readonly self: Address
  readonly seq: number
  readonly target: number
  readonly pending: { readonly id: string; readonly sentAt: number; readonly ttl: number } | undefined
  readonly held:
    | {
        readonly lock: string
        readonly token: number
        readonly until: number
        readonly granter: Address
        readonly expires: number
      }
    | undefined
  /** A release sent and not yet acknowledged: resent (to the granter, then by hint) until acked or moot. */
  readonly releasing:
    | {
        readonly lock: string
        readonly token: number
        readonly to: Address
        readonly expires: number
        readonly sentAt: number
      }
    | undefined
  /** Releases acknowledged, and releases given up because the machine's lease had ended meanwhile. */
  readonly acked: number
  readonly moot: number
  /** Of the moot ones, those sent at least `RELEASE_SLACK` ms before the lease ended: lost releases. */
  readonly lost: number
  /** Grants that arrived after the lease they name was over (given back at once). */
  readonly late: number
}

/** A release sent this long before its lease ends must be acknowledged in time on a fault-free network. */
const RELEASE_SLACK = 100
interface Member {
  readonly _tag: "Member"
  readonly member: Lock.RaftLockState
}
type State = Client | Member
type M = Lock.RaftLockMessage
/** A client's record of an operation's call or return, for the linearizability checker. */
type Record =
  | { readonly _tag: "Call"; readonly id: string; readonly client: string; readonly input: LockInput }
  | { readonly _tag: "Return"; readonly id: string; readonly output: LockOutput }
type O = Lock.LockEmit | Record
type Out = Output<M, O>
type Persisted = Raft.RaftPersisted<Lock.LockCommand> | number

const memberAt = (i: number): Address => ({ node: members[i % members.length] ?? "n0", id: "lock" })
const call = (s: Client, id: string, input: LockInput): Out => ({
  _tag: "Emit",
  value: { _tag: "Call", id, client: s.self.node, input }
})
const ret = (id: string, output: LockOutput): Out => ({ _tag: "Emit", value: { _tag: "Return", id, output } })
const releaseOp = (token: number) => `release:${token}`

const sendRelease = (r: NonNullable<Client["releasing"]>, now: number): ReadonlyArray<Out> => [
  { _tag: "Send", to: r.to, message: { _tag: "Release", lock: r.lock, token: r.token } },
  { _tag: "SetTimer", key: "release-retry", at: now + 40 }
]

/**
 * A client step. `lossyRelease` is the deliberately broken release of 9cd7757: sent once, to a
 * member other than the granter, never resent (the `raft-lock-release` checker must catch it).
 */
const clientStep = (
  s: Client,
  e: Event<M>,
  lossyRelease: boolean,
  races: boolean
): { state: Client; outputs: ReadonlyArray<Out> } => {
  // Racing: every client asks at the same 40 ms ticks (acquires meet in one batch) for leases
  // about as short as a commit (grants race their expiry).
  const want = (at: number): Out => ({ _tag: "SetTimer", key: "want", at: races ? Math.ceil(at / 40) * 40 : at })
  if (e._tag === "Start") return { state: s, outputs: [want(e.now + Math.floor(e.random * 50))] }
  if (e._tag === "Timer" && e.key === "want") {
    if (s.held !== undefined) return { state: s, outputs: [] }
    // No answer since the last try: ask another member.
    const target = s.pending === undefined ? s.target : s.target + 1
    const id = `${s.self.node}-${s.seq}`
    const ttl = races ? 25 + Math.floor(e.random * 30) : 50 + Math.floor(e.random * 100)
    return {
      state: { ...s, seq: s.seq + 1, target, pending: { id, sentAt: e.now, ttl } },
      outputs: [
        call(s, id, { _tag: "Acquire", ttl }),
        { _tag: "Send", to: memberAt(target), message: { _tag: "Acquire", lock: "L", ttl, id } },
        want(e.now + 150)
      ]
    }
  }
  if (e._tag === "Timer" && e.key === "release") {
    if (s.held === undefined) return { state: s, outputs: [] }
    const to = lossyRelease ? memberAt(members.indexOf(s.held.granter.node) + 1) : s.held.granter
    const releasing = { lock: s.held.lock, token: s.held.token, to, expires: s.held.expires, sentAt: e.now }
    return {
      state: { ...s, held: undefined, releasing },
      outputs: [
        call(s, releaseOp(s.held.token), { _tag: "Release", token: s.held.token }),
        ...sendRelease(releasing, e.now),
        want(e.now + Math.floor(e.random * 50))
      ]
    }
  }
  if (e._tag === "Timer" && e.key === "release-retry") {
    const r = s.releasing
    if (r === undefined) return { state: s, outputs: [] }
    if (lossyRelease && e.now < r.expires)
      return { state: s, outputs: [{ _tag: "SetTimer", key: "release-retry", at: r.expires }] }
    if (e.now >= r.expires) {
      const lost = r.expires - r.sentAt >= RELEASE_SLACK ? 1 : 0
      return { state: { ...s, releasing: undefined, moot: s.moot + 1, lost: s.lost + lost }, outputs: [] }
    }
    // No answer: the granter may have crashed or lost leadership; try the next member.
    const next = { ...r, to: memberAt(members.indexOf(r.to.node) + 1) }
    return { state: { ...s, releasing: next }, outputs: sendRelease(next, e.now) }
  }
  if (e._tag !== "Receive") return { state: s, outputs: [] }
  const m = e.message
  const r = s.releasing
  if (r !== undefined && m._tag === "LockReleased" && m.lock === r.lock && m.token === r.token) {
    return {
      state: { ...s, releasing: undefined, acked: s.acked + 1 },
      outputs: [ret(releaseOp(r.token), { _tag: "Released" }), { _tag: "CancelTimer", key: "release-retry" }]
    }
  }
  if (r !== undefined && m._tag === "LockRedirect" && m.id === Lock.releaseId(r.lock, r.token) && !lossyRelease) {
    const leader = m.leader === undefined ? -1 : members.indexOf(m.leader)
    const next = { ...r, to: memberAt(leader >= 0 ? leader : members.indexOf(r.to.node) + 1) }
    return { state: { ...s, releasing: next }, outputs: sendRelease(next, e.now) }
  }
  if (s.pending === undefined) return { state: s, outputs: [] }
  if (m._tag === "Granted" && m.id === s.pending.id) {
    const until = Lock.leaseUntil(s.pending.sentAt, s.pending.ttl)
    const granted = ret(s.pending.id, { _tag: "Granted", token: m.token, expires: m.expires })
    // A grant that arrives after the lease it names is over is no lease: give it back, ask again.
    if (until <= e.now) {
      return {
        state: { ...s, pending: undefined, late: s.late + 1 },
        outputs: [
          granted,
          call(s, releaseOp(m.token), { _tag: "Release", token: m.token }),
          { _tag: "Send", to: e.from, message: { _tag: "Release", lock: m.lock, token: m.token } },
          want(e.now + 1)
        ]
      }
    }
    return {
      state: {
        ...s,
        pending: undefined,
        held: { lock: m.lock, token: m.token, until, granter: e.from, expires: m.expires }
      },
      outputs: [granted, { _tag: "SetTimer", key: "release", at: e.now + Math.floor(e.random * s.pending.ttl * 1.5) }]
    }
  }
  if (m._tag === "Busy" && m.id === s.pending.id) {
    return {
      state: { ...s, pending: undefined },
      outputs: [ret(s.pending.id, { _tag: "Busy" }), want(e.now + Math.floor(e.random * 60))]
    }
  }
  if (m._tag === "LockRedirect" && m.id === s.pending.id) {
    const leader = m.leader === undefined ? -1 : members.indexOf(m.leader)
    return {
      state: { ...s, pending: undefined, target: leader >= 0 ? leader : s.target + 1 },
      outputs: [want(e.now + 5)]
    }
  }
  return { state: s, outputs: [] }
}

/** Steering of the lock scenario: `races` (see `clientStep`). */
export interface RaceSteer {
  readonly races?: boolean
}

/** Members and clients as one protocol (the role depends on the node). */
export const raftLockProtocol = (
  broken = false,
  lossyRelease = false,
  steer: RaceSteer = {}
): Protocol<State, M, Persisted, O> => {
  const lock = Lock.makeRaftLock({
    raft: { ...Raft.defaultRaftConfig(members), service: "lock" },
    unsafeGrantWhileHeld: broken
  })
  const races = steer.races === true
  return {
    name: "lock",
    init: (self, persisted) =>
      members.includes(self.node)
        ? { _tag: "Member", member: lock.init(self, typeof persisted === "number" ? undefined : persisted) }
        : {
            _tag: "Client",
            self,
            seq: typeof persisted === "number" ? persisted : 0,
            target: clients.indexOf(self.node),
            pending: undefined,
            held: undefined,
            releasing: undefined,
            acked: 0,
            moot: 0,
            lost: 0,
            late: 0
          },
    step: (s, e) => {
      if (s._tag === "Client") return clientStep(s, e, lossyRelease, races)
      const next = lock.step(s.member, e)
      return { state: { _tag: "Member", member: next.state }, outputs: next.outputs }
    },
    // A client keeps its request counter across crashes (fresh ids); its lease is lost.
    persist: (s) => (s._tag === "Member" ? lock.persist(s.member) : s.seq),
    isMessage: lock.isMessage
  }
}

/**
 * One seeded Raft lock run; `broken` grants while a lease is held (the checker must catch it).
 * `releases`: no crashes or partitions (drops and duplicates stay), and every release sent at
 * least `RELEASE_SLACK` ms before its lease ends must be acknowledged before it ends
 * (`"lossy-broken"` runs the old, lossy release, which the check must catch).
 */
export const raftLockScenario = (
  seed: number,
  broken = false,
  releases: false | "checked" | "lossy-broken" = false,
  checks: "all" | "history" = "all",
  steer: RaceSteer = {}
): SimulateOptions<State, M, Persisted, O> => {
  const duration = 1_500
  return {
    seed,
    scenario:
      steer.races === true
        ? "raft-lock-races"
        : broken
          ? "raft-lock-broken"
          : releases === "checked"
            ? "raft-lock-release"
            : releases === "lossy-broken"
              ? "raft-lock-release-broken"
              : "raft-lock",
    protocol: raftLockProtocol(broken, releases === "lossy-broken", steer),
    nodes: [...members, ...clients],
    duration,
    quiet: 700,
    network: { defaults: { minDelay: 1, maxDelay: 15, drop: 0.05, duplicate: 0.05 } },
    ...(releases ? {} : { faults: { interval: 150, crash: true, maxDown: 2, partition: true } }),
    checker: () => {
      const raft = Raft.makeRaftChecker<Lock.LockCommand>()
      let maxToken = 0
      let lastGrant = -1
      const seen = new Set<number>()
      const history = new History<LockInput, LockOutput>()
      return {
        step: (view) => {
          for (const o of view.outputs) {
            if (o._tag !== "Emit") continue
            if (o.value._tag === "Call") history.invoke(o.value.id, o.value.client, o.value.input, view.now)
            else if (o.value._tag === "Return") history.complete(o.value.id, o.value.output, view.now)
          }
          if (checks === "history") return undefined
          let holder: string | undefined
          const rafts = new Map<string, Raft.RaftState<Lock.LockCommand>>()
          for (const [node, s] of view.states) {
            if (s._tag === "Member") {
              rafts.set(node, s.member.raft)
              continue
            }
            if (s.held === undefined) continue
            if (!seen.has(s.held.token)) {
              if (s.held.token <= maxToken) return `fencing: ${node} got token ${s.held.token} after token ${maxToken}`
              seen.add(s.held.token)
              maxToken = s.held.token
              lastGrant = view.now
            }
            if (s.held.until <= view.now) continue
            if (holder !== undefined)
              return `mutual exclusion: ${holder} and ${node} both hold a valid lease on ${s.held.lock} at ${view.now}`
            holder = node
          }
          if (releases && view.state._tag === "Client" && view.state.lost > 0) {
            return `release: ${view.node} sent a release ${RELEASE_SLACK}+ ms before its lease ended and it was never acknowledged`
          }
          return view.state._tag === "Member" ? raft.check(view.node, view.state.member.raft, rafts) : undefined
        },
        final: (states) => {
          const linearizable = linearizabilityViolation(checkLinearizable(leaseLockModel, history.operations()))
          if (linearizable !== undefined) return linearizable
          if (releases) {
            const acked = [...states.values()].reduce((n, s) => n + (s._tag === "Client" ? s.acked : 0), 0)
            if (acked === 0) return "release: no release was acknowledged"
          }
          return lastGrant < duration
            ? `liveness: no grant after the faults stopped at ${duration} ms (last at ${lastGrant})`
            : undefined
        }
      }
    }
  }
}
