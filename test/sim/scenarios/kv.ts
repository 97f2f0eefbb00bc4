/**
 * The Raft key-value scenario: three members replicate a register per key; three clients write
 * and read two keys (one request at a time each, resent to the next member until answered,
 * following leader hints) under crashes, partitions, drops and duplicates. The recorded history
 * (unanswered requests pending) must be linearizable per key; Raft's safety checker runs on the
 * members; after the faults stop, requests are answered again.
 */
import type { Event, Output, Protocol } from "../../../src/coordination/index.ts"
import { Kv, Raft } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"
import {
  checkLinearizable,
  History,
  linearizabilityViolation,
  registerModel,
  type RegisterInput
} from "../../../src/sim/index.ts"
import type { Address } from "../../../src/transport/index.ts"

type M = Kv.RaftKvMessage
interface Answered {
  readonly _tag: "Answered"
  readonly client: string
  readonly seq: number
  readonly value: string | null
}
type O = Kv.RaftKvEmit | Answered
interface Client {
  readonly _tag: "Client"
  readonly self: Address
  readonly seq: number
  readonly target: number
  readonly pending: { readonly seq: number; readonly op: Kv.KvOp; readonly since: number } | undefined
}
interface Member {
  readonly _tag: "Member"
  readonly member: Kv.RaftKvState
}
type State = Client | Member
type Persisted = Raft.RaftPersisted<Kv.KvCommand> | number

const members = ["n0", "n1", "n2"]
const clients = ["c1", "c2", "c3"]
const keys = ["x", "y"]
const memberAt = (i: number): Address => ({
  node: members[((i % members.length) + members.length) % members.length]!,
  id: "kv"
})

const clientStep = (s: Client, e: Event<M>): { state: Client; outputs: ReadonlyArray<Output<M, O>> } => {
  const request = (c: Client, p: NonNullable<Client["pending"]>): Output<M, O> => ({
    _tag: "Send",
    to: memberAt(c.target),
    message: { _tag: "KvRequest", client: c.self.node, seq: p.seq, op: p.op }
  })
  const timer = (key: string, at: number): Output<M, O> => ({ _tag: "SetTimer", key, at })
  if (e._tag === "Start") return { state: s, outputs: [timer("next", e.now + Math.floor(e.random * 30))] }
  if (e._tag === "Timer") {
    if (e.key === "next" && s.pending === undefined) {
      const key = keys[Math.floor(e.random * 1_000) % keys.length]!
      const op: Kv.KvOp =
        Math.floor(e.random * 10_000) % 2 === 0
          ? { _tag: "Put", key, value: `${s.self.node}.${s.seq + 1}` }
          : { _tag: "Get", key }
      const pending = { seq: s.seq + 1, op, since: e.now }
      const next: Client = { ...s, seq: s.seq + 1, pending }
      return { state: next, outputs: [request(next, pending), timer("retry", e.now + 60)] }
    }
    if (e.key === "retry" && s.pending !== undefined) {
      const next: Client = { ...s, target: s.target + 1 }
      return { state: next, outputs: [request(next, s.pending), timer("retry", e.now + 60)] }
    }
    return { state: s, outputs: [] }
  }
  const m = e.message
  if (s.pending === undefined || !("client" in m) || m.client !== s.self.node || m.seq !== s.pending.seq)
    return { state: s, outputs: [] }
  if (m._tag === "KvNotLeader") {
    const hinted = m.leader === undefined ? -1 : members.indexOf(m.leader)
    if (hinted < 0) return { state: s, outputs: [] }
    const next: Client = { ...s, target: hinted }
    return { state: next, outputs: [request(next, s.pending), timer("retry", e.now + 60)] }
  }
  if (m._tag !== "KvReply") return { state: s, outputs: [] }
  return {
    state: { ...s, pending: undefined },
    outputs: [
      { _tag: "Emit", value: { _tag: "Answered", client: s.self.node, seq: m.seq, value: m.value } },
      { _tag: "CancelTimer", key: "retry" },
      timer("next", e.now + 5 + Math.floor(e.random * 40))
    ]
  }
}

/** Members and clients as one protocol; `broken` answers reads locally (stale reads). */
export const kvProtocol = (broken: boolean): Protocol<State, M, Persisted, O> => {
  const kv = Kv.makeRaftKv({ raft: { ...Raft.defaultRaftConfig(members), service: "kv" }, unsafeLocalReads: broken })
  return {
    name: "kv",
    init: (self, persisted) =>
      members.includes(self.node)
        ? { _tag: "Member", member: kv.init(self, typeof persisted === "number" ? undefined : persisted) }
        : {
            _tag: "Client",
            self,
            seq: typeof persisted === "number" ? persisted : 0,
            target: clients.indexOf(self.node),
            pending: undefined
          },
    step: (s, e) => {
      if (s._tag === "Client") return clientStep(s, e)
      if (e._tag === "Receive" && !kv.isMessage(e.message)) return { state: s, outputs: [] }
      const next = kv.step(s.member, e)
      return { state: { _tag: "Member", member: next.state }, outputs: next.outputs }
    },
    // A client keeps its sequence number across crashes (fresh requests); its open request stays pending.
    persist: (s) => (s._tag === "Member" ? kv.persist(s.member) : s.seq),
    isMessage: (u): u is M => kv.isMessage(u)
  }
}

/** One seeded Raft key-value run; `broken` serves reads from any member's applied state. */
export const kvScenario = (seed: number, broken = false): SimulateOptions<State, M, Persisted, O> => {
  const duration = 800
  return {
    seed,
    scenario: broken ? "raft-kv-broken" : "raft-kv",
    protocol: kvProtocol(broken),
    nodes: [...members, ...clients],
    duration,
    quiet: 800,
    network: { defaults: { minDelay: 1, maxDelay: 15, drop: 0.05, duplicate: 0.05 } },
    faults: { interval: 150, crash: true, maxDown: 1, partition: true },
    checker: () => {
      const history = new History<RegisterInput, string | null>()
      const safety = Raft.makeRaftChecker<Kv.KvCommand>()
      const rafts = new Map<string, Raft.RaftState<Kv.KvCommand>>()
      let lastAnswer = -1
      return {
        step: (view) => {
          const s = view.state
          if (s._tag === "Member") {
            rafts.clear()
            for (const [node, st] of view.states) if (st._tag === "Member") rafts.set(node, st.member.raft)
            return safety.check(view.node, s.member.raft, rafts)
          }
          if (s.pending !== undefined)
            history.invoke(`${s.self.node}#${s.pending.seq}`, s.self.node, s.pending.op, s.pending.since)
          for (const o of view.outputs) {
            if (o._tag !== "Emit" || o.value._tag !== "Answered") continue
            history.complete(`${o.value.client}#${o.value.seq}`, o.value.value, view.now)
            lastAnswer = view.now
          }
          return undefined
        },
        final: () =>
          linearizabilityViolation(checkLinearizable(registerModel, history.operations())) ??
          (lastAnswer < duration
            ? `liveness: no request answered after the faults stopped at ${duration} ms (last at ${lastAnswer})`
            : undefined)
      }
    }
  }
}
