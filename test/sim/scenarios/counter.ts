/**
 * The counter scenarios: three clients incrementing by 1 (one increment at a time each, resent
 * until answered) against a single owner or a 3-member Raft counter, under crashes, partitions,
 * drops and duplicates. The checker verifies linearizability of the acknowledged increments:
 * - exactly once: no two acknowledged increments share a value, and an acknowledged value never
 *   exceeds the number of distinct increments invoked so far (a double application would);
 * - real-time order: an increment acknowledged before another was invoked has a smaller value
 *   (so each client's values strictly increase);
 * - for Raft, Raft's own safety checker on the members.
 */
import type { Address } from "../../../src/transport/index.ts"
import type { Event, Output, Protocol } from "../../../src/coordination/index.ts"
import { Counter, Raft } from "../../../src/coordination/index.ts"
import type { Checker, SimulateOptions } from "../../../src/sim/index.ts"
import {
  checkLinearizable,
  counterModel,
  type CounterInput,
  History,
  linearizabilityViolation
} from "../../../src/sim/index.ts"

type M = Counter.RaftCounterMessage
interface Ack {
  readonly _tag: "Ack"
  readonly client: string
  readonly seq: number
  readonly value: number
  readonly invokedAt: number
}
type O = Counter.CounterEmit | Ack
interface Client {
  readonly _tag: "Client"
  readonly self: Address
  readonly seq: number
  readonly target: number
  readonly pending: { readonly seq: number; readonly since: number } | undefined
}
interface Node<NS> {
  readonly _tag: "Node"
  readonly node: NS
}
type State<NS> = Client | Node<NS>
const clients = ["c1", "c2", "c3"]

const clientStep =
  (targets: ReadonlyArray<Address>) =>
  (s: Client, e: Event<M>): { state: Client; outputs: ReadonlyArray<Output<M, O>> } => {
    const sendTo = (c: Client, seq: number): Output<M, O> => ({
      _tag: "Send",
      to: targets[c.target % targets.length]!,
      message: { _tag: "Increment", client: c.self.node, seq, by: 1 }
    })
    const timer = (key: string, at: number): Output<M, O> => ({ _tag: "SetTimer", key, at })
    if (e._tag === "Start") return { state: s, outputs: [timer("next", e.now + Math.floor(e.random * 30))] }
    if (e._tag === "Timer") {
      if (e.key === "next" && s.pending === undefined) {
        const next: Client = { ...s, seq: s.seq + 1, pending: { seq: s.seq + 1, since: e.now } }
        return { state: next, outputs: [sendTo(next, next.seq), timer("retry", e.now + 60)] }
      }
      if (e.key === "retry" && s.pending !== undefined) {
        const next: Client = { ...s, target: s.target + 1 }
        return { state: next, outputs: [sendTo(next, s.pending.seq), timer("retry", e.now + 60)] }
      }
      return { state: s, outputs: [] }
    }
    const m = e.message
    if (s.pending === undefined || !("client" in m) || m.client !== s.self.node || m.seq !== s.pending.seq)
      return { state: s, outputs: [] }
    if (m._tag === "NotLeader") {
      const hinted = targets.findIndex((t) => t.node === m.leader)
      return { state: hinted < 0 ? s : { ...s, target: hinted - 1 }, outputs: [] }
    }
    if (m._tag !== "Incremented") return { state: s, outputs: [] }
    return {
      state: { ...s, pending: undefined },
      outputs: [
        {
          _tag: "Emit",
          value: { _tag: "Ack", client: s.self.node, seq: m.seq, value: m.value, invokedAt: s.pending.since }
        },
        { _tag: "CancelTimer", key: "retry" },
        timer("next", e.now + 20 + Math.floor(e.random * 60))
      ]
    }
  }

/** Counter nodes (any protocol speaking `CounterMessage`) plus the three clients, as one protocol. */
const withClients = <NS, NM, P>(
  node: Protocol<NS, NM, P, Counter.CounterEmit>,
  targets: ReadonlyArray<Address>
): Protocol<State<NS>, M, P | number, O> => {
  const client = clientStep(targets)
  return {
    name: node.name,
    init: (self, persisted) =>
      clients.includes(self.node)
        ? { _tag: "Client", self, seq: typeof persisted === "number" ? persisted : 0, target: 0, pending: undefined }
        : { _tag: "Node", node: node.init(self, typeof persisted === "number" ? undefined : persisted) },
    step: (s, e) => {
      if (s._tag === "Client") return client(s, e)
      if (e._tag === "Receive" && !node.isMessage(e.message)) return { state: s, outputs: [] }
      const next = node.step(s.node, e as Event<NM>)
      return { state: { _tag: "Node", node: next.state }, outputs: next.outputs as ReadonlyArray<Output<M, O>> }
    },
    persist: (s) => (s._tag === "Client" ? s.seq : node.persist(s.node)),
    isMessage: (u): u is M => Counter.isCounterMessage(u) || node.isMessage(u)
  }
}

/**
 * Which checks run: `"all"` (the per-step checks above, then the recorded history through the
 * linearizability checker at the end) or `"history"` (only the recorded history: proves that the
 * linearizability checker alone catches the broken variants).
 */
export type CounterChecks = "all" | "history"

/** The linearizability checker of acknowledged increments (plus `extra` on every node step). */
const linearizable =
  <NS>(
    duration: number,
    checks: CounterChecks,
    extra?: (node: string, s: NS, states: ReadonlyMap<string, State<NS>>) => string | undefined
  ) =>
  (): Checker<State<NS>, M, O> => {
    const history = new History<CounterInput, number>()
    const invoked = new Set<string>()
    const acked = new Map<string, number>()
    const values = new Map<number, string>()
    const acks: Array<{ readonly at: number; readonly value: number }> = []
    let lastAck = -1
    return {
      step: (view) => {
        const s = view.state
        if (s._tag === "Node") return checks === "all" ? extra?.(view.node, s.node, view.states) : undefined
        if (s.pending !== undefined) {
          invoked.add(`${s.self.node}#${s.pending.seq}`)
          history.invoke(`${s.self.node}#${s.pending.seq}`, s.self.node, { _tag: "Increment" }, s.pending.since)
        }
        for (const o of view.outputs) {
          if (o._tag !== "Emit" || o.value._tag !== "Ack") continue
          const { client, invokedAt, seq, value } = o.value
          const op = `${client}#${seq}`
          history.complete(op, value, view.now)
          lastAck = view.now
          if (checks === "history") continue
          if (acked.has(op) && acked.get(op) !== value)
            return `${op} acknowledged twice with ${acked.get(op)} and ${value}`
          const other = values.get(value)
          if (other !== undefined && other !== op)
            return `exactly once: ${op} and ${other} were both acknowledged with value ${value}`
          if (value > invoked.size)
            return `exactly once: ${op} acknowledged with ${value} after only ${invoked.size} distinct increments were invoked`
          for (const a of acks) {
            if (a.at < invokedAt && a.value >= value)
              return `real-time order: ${op} invoked at ${invokedAt} got ${value}, but ${a.value} was acknowledged at ${a.at}`
          }
          acked.set(op, value)
          values.set(value, op)
          acks.push({ at: view.now, value })
        }
        return undefined
      },
      final: () =>
        linearizabilityViolation(checkLinearizable(counterModel, history.operations())) ??
        (lastAck < duration
          ? `liveness: no increment acknowledged after the faults stopped at ${duration} ms (last at ${lastAck})`
          : undefined)
    }
  }

const base = {
  duration: 700,
  quiet: 500,
  network: { defaults: { minDelay: 1, maxDelay: 15, drop: 0.05, duplicate: 0.05 } }
}

/** One seeded single-owner counter run; `broken` applies resent increments again. */
export const counterScenario = (
  seed: number,
  broken = false,
  checks: CounterChecks = "all"
): SimulateOptions<State<Counter.CounterState>, M, Counter.CounterState | number, O> => ({
  ...base,
  seed,
  scenario: broken ? "counter-broken" : "counter",
  protocol: withClients(Counter.makeCounterOwner({ unsafeNoDedupe: broken }), [{ node: "owner", id: "counter" }]),
  nodes: ["owner", ...clients],
  faults: { interval: 200, crash: true, maxDown: 1, partition: true },
  checker: linearizable(base.duration, checks)
})

/** One seeded Raft counter run (3 members); `broken` acknowledges increments before they commit. */
export const raftCounterScenario = (
  seed: number,
  broken = false,
  checks: CounterChecks = "all"
): SimulateOptions<State<Counter.RaftCounterState>, M, Raft.RaftPersisted<Counter.Increment> | number, O> => {
  const members = ["n0", "n1", "n2"]
  const raft = Raft.defaultRaftConfig(members)
  return {
    ...base,
    seed,
    scenario: broken ? "raft-counter-broken" : "raft-counter",
    quiet: 800,
    protocol: withClients(
      Counter.makeRaftCounter({ raft, unsafeAckOnAccept: broken }),
      members.map((node) => ({ node, id: "raft" }))
    ),
    nodes: [...members, ...clients],
    faults: { interval: 150, crash: true, maxDown: 1, partition: true },
    checker: () => {
      const safety = Raft.makeRaftChecker<Counter.Increment>()
      const rafts = new Map<string, Raft.RaftState<Counter.Increment>>()
      return linearizable<Counter.RaftCounterState>(base.duration, checks, (node, s, states) => {
        rafts.clear()
        for (const [n, st] of states) if (st._tag === "Node") rafts.set(n, st.node.raft)
        return safety.check(node, s.raft, rafts)
      })()
    }
  }
}
