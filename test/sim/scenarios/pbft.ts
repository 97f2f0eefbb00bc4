/**
 * The PBFT scenario: 4 replicas (f = 1), one of them Byzantine (the primary in a quarter of the
 * seeds): equivocating in most seeds, silent in every fifth, a client sending 6 requests to the primary, under crashes of one
 * replica at a time, partitions, drops and duplicates. Checks: honest replicas never commit
 * different values at one sequence number; with an honest primary they commit only requested
 * values and, once faults stop, every honest replica commits every sequence number assigned.
 */
import type { Protocol } from "../../../src/coordination/index.ts"
import { Pbft } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"

type M = Pbft.PbftMessage
type State =
  | { readonly _tag: "Client"; readonly n: number }
  | { readonly _tag: "Replica"; readonly byzantine: "no" | "equivocating" | "silent"; readonly r: Pbft.PbftState }
type P = number | Pbft.PbftState
const replicas = ["r0", "r1", "r2", "r3"]
const requests = 6

const protocol = (config: Pbft.PbftConfig, byzantine: string, silent: boolean): Protocol<State, M, P, Pbft.PbftEmit> => {
  const replica = Pbft.makePbft(config)
  return {
    name: config.service,
    init: (self, persisted) =>
      self.node === "client"
        ? { _tag: "Client", n: typeof persisted === "number" ? persisted : 0 }
        : { _tag: "Replica", byzantine: self.node !== byzantine ? "no" : silent ? "silent" : "equivocating", r: replica.init(self, typeof persisted === "number" ? undefined : persisted) },
    step: (s, e) => {
      if (s._tag === "Client") {
        if (e._tag === "Start") return { state: s, outputs: [{ _tag: "SetTimer", key: "next", at: e.now + 20 }] }
        if (e._tag !== "Timer" || s.n >= requests) return { state: s, outputs: [] }
        return {
          state: { _tag: "Client", n: s.n + 1 },
          outputs: [
            { _tag: "Send", to: { node: config.primary, id: config.service }, message: { _tag: "Request", value: `req-${s.n}` } },
            { _tag: "SetTimer", key: "next", at: e.now + 40 }
          ]
        }
      }
      const step = s.byzantine === "no" ? Pbft.pbftStep : s.byzantine === "silent" ? Pbft.silentStep : Pbft.equivocatorStep
      const next = step(s.r, e)
      return { state: { ...s, r: next.state }, outputs: next.outputs }
    },
    persist: (s) => (s._tag === "Client" ? s.n : s.r),
    isMessage: Pbft.isPbftMessage
  }
}

/** One seeded PBFT run; `broken` uses a quorum of 2f instead of 2f + 1. */
export const pbftScenario = (seed: number, broken = false): SimulateOptions<State, M, P, Pbft.PbftEmit> => {
  const byzantine = replicas[seed % replicas.length]!
  const config = { ...Pbft.defaultPbftConfig(replicas, 1), resend: 100, unsafeQuorum: broken ? 2 : undefined }
  const honestPrimary = byzantine !== config.primary
  const duration = 400
  return {
    seed,
    scenario: broken ? "pbft-broken" : "pbft",
    protocol: protocol(config, byzantine, seed % 5 === 0),
    nodes: [...replicas, "client"],
    duration,
    quiet: 600,
    network: { defaults: { minDelay: 1, maxDelay: 20, drop: 0.05, duplicate: 0.05 } },
    faults: { interval: 150, crash: true, maxDown: 1, partition: true },
    checker: () => {
      const decided = new Map<number, { readonly value: string; readonly node: string }>()
      return {
        step: (view) => {
          const s = view.state
          if (s._tag !== "Replica" || s.byzantine !== "no") return undefined
          for (const [key, slot] of Object.entries(s.r.slots)) {
            if (slot.committed === undefined) continue
            const seq = Number(key)
            const known = decided.get(seq)
            if (known !== undefined && known.value !== slot.committed) {
              return `agreement: ${known.node} committed ${known.value} at seq ${seq}, ${view.node} committed ${slot.committed}`
            }
            if (known === undefined) decided.set(seq, { value: slot.committed, node: view.node })
            if (honestPrimary && slot.committed.includes("#")) return `validity: ${view.node} committed forged ${slot.committed} at seq ${seq}`
          }
          return undefined
        },
        final: (states) => {
          if (!honestPrimary) return undefined
          const primary = states.get(config.primary)
          const assigned = primary?._tag === "Replica" ? primary.r.seq : 0
          for (const [node, s] of states) {
            if (s._tag === "Replica" && s.byzantine === "no" && s.r.committedUpTo < assigned) {
              return `liveness: ${node} committed up to ${s.r.committedUpTo} of ${assigned} after the faults stopped`
            }
          }
          return assigned === 0 ? "liveness: the primary assigned nothing" : undefined
        }
      }
    }
  }
}
