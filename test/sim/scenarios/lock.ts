/**
 * The lock scenario: one owner, four clients that repeatedly acquire one lock with short leases,
 * hold it for a random time (sometimes beyond the lease) and release it; crashes, partitions,
 * drops and duplicates. Checks: at most one client believes it holds a valid lease at any moment,
 * and fencing tokens strictly increase.
 */
import type { Address } from "../../../src/transport/index.ts"
import type { Event, Output, Protocol } from "../../../src/coordination/index.ts"
import { Lock } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"

interface Client {
  readonly _tag: "Client"
  readonly self: Address
  readonly seq: number
  readonly pending: { readonly id: string; readonly sentAt: number; readonly ttl: number } | undefined
  readonly held: { readonly lock: string; readonly token: number; readonly until: number } | undefined
}
interface Owner {
  readonly _tag: "Owner"
  readonly server: Lock.LockServerState
}
type State = Client | Owner
type M = Lock.LockMessage
type Out = Output<M, Lock.LockEmit>
const owner: Address = { node: "owner", id: "lock" }

const clientStep = (s: Client, e: Event<M>): { state: Client; outputs: ReadonlyArray<Out> } => {
  const want = (at: number): Out => ({ _tag: "SetTimer", key: "want", at })
  if (e._tag === "Start") return { state: s, outputs: [want(e.now + Math.floor(e.random * 50))] }
  if (e._tag === "Timer" && e.key === "want") {
    if (s.held !== undefined) return { state: s, outputs: [] }
    const id = `${s.self.node}-${s.seq}`
    const ttl = 50 + Math.floor(e.random * 100)
    return {
      state: { ...s, seq: s.seq + 1, pending: { id, sentAt: e.now, ttl } },
      outputs: [{ _tag: "Send", to: owner, message: { _tag: "Acquire", lock: "L", ttl, id } }, want(e.now + 300)]
    }
  }
  if (e._tag === "Timer" && e.key === "release") {
    if (s.held === undefined) return { state: s, outputs: [] }
    return {
      state: { ...s, held: undefined },
      outputs: [
        { _tag: "Send", to: owner, message: { _tag: "Release", lock: s.held.lock, token: s.held.token } },
        want(e.now + Math.floor(e.random * 50))
      ]
    }
  }
  if (e._tag !== "Receive" || s.pending === undefined) return { state: s, outputs: [] }
  const m = e.message
  if (m._tag === "Granted" && m.id === s.pending.id) {
    const until = Lock.leaseUntil(s.pending.sentAt, s.pending.ttl)
    return {
      state: { ...s, pending: undefined, held: { lock: m.lock, token: m.token, until } },
      outputs: [{ _tag: "SetTimer", key: "release", at: e.now + Math.floor(e.random * s.pending.ttl * 1.5) }]
    }
  }
  if (m._tag === "Busy" && m.id === s.pending.id)
    return { state: { ...s, pending: undefined }, outputs: [want(e.now + Math.floor(e.random * 60))] }
  return { state: s, outputs: [] }
}

/** Owner and clients as one protocol (the role depends on the node). `grantAlways` breaks the owner. */
export const lockProtocol = (
  grantAlways = false
): Protocol<State, M, Lock.LockServerState | undefined, Lock.LockEmit> => {
  const server = Lock.makeLockServer()
  return {
    name: "lock",
    init: (self, persisted) =>
      self.node === owner.node
        ? { _tag: "Owner", server: server.init(self, persisted) }
        : { _tag: "Client", self, seq: 0, pending: undefined, held: undefined },
    step: (s, e) => {
      if (s._tag === "Client") return clientStep(s, e)
      const next = server.step(grantAlways ? { ...s.server, locks: {} } : s.server, e)
      return { state: { _tag: "Owner", server: next.state }, outputs: next.outputs }
    },
    persist: (s) => (s._tag === "Owner" ? s.server : undefined),
    isMessage: Lock.isLockMessage
  }
}

/** One seeded lock run. */
export const lockScenario = (
  seed: number,
  grantAlways = false
): SimulateOptions<State, M, Lock.LockServerState | undefined, Lock.LockEmit> => ({
  seed,
  scenario: grantAlways ? "lock-broken" : "lock",
  protocol: lockProtocol(grantAlways),
  nodes: ["owner", "c1", "c2", "c3", "c4"],
  duration: 2_000,
  quiet: 500,
  network: { defaults: { minDelay: 1, maxDelay: 15, drop: 0.05, duplicate: 0.05 } },
  faults: { interval: 200, crash: true, maxDown: 2, partition: true },
  checker: () => {
    let maxToken = 0
    let serverToken = 0
    const seen = new Set<number>()
    return {
      step: (view) => {
        if (view.state._tag === "Owner") {
          if (view.state.server.token < serverToken)
            return `fencing: owner token went back from ${serverToken} to ${view.state.server.token}`
          serverToken = view.state.server.token
        }
        let holder: string | undefined
        for (const [node, s] of view.states) {
          if (s._tag !== "Client" || s.held === undefined) continue
          if (!seen.has(s.held.token)) {
            if (s.held.token <= maxToken) return `fencing: ${node} got token ${s.held.token} after token ${maxToken}`
            seen.add(s.held.token)
            maxToken = s.held.token
          }
          if (s.held.until <= view.now) continue
          if (holder !== undefined)
            return `mutual exclusion: ${holder} and ${node} both hold a valid lease on ${s.held.lock} at ${view.now}`
          holder = node
        }
        return undefined
      },
      final: () => (maxToken < 3 ? `liveness: only ${maxToken} grants` : undefined)
    }
  }
})
