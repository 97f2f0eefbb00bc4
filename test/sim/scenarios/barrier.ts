/**
 * The barrier scenario: a coordinator and four parties looping arrive → pass, under crashes,
 * partitions, drops and duplicates. Checks that nobody passes a generation before every party
 * arrived at it, and that generations keep completing.
 */
import type { Event, Output, Protocol } from "../../../src/coordination/index.ts"
import { Barrier } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"

interface Party {
  readonly _tag: "Party"
  readonly generation: number
  readonly arrived: boolean
  readonly passed: number
}
interface Coordinator {
  readonly _tag: "Coordinator"
  readonly barrier: Barrier.BarrierState
}
type State = Party | Coordinator
type M = Barrier.BarrierMessage
type Out = Output<M, Barrier.BarrierEmit>
type Persisted = Barrier.BarrierState | Party
const parties = ["p1", "p2", "p3", "p4"]
const coordinator = { node: "coord", id: "barrier" }

const partyStep = (s: Party, e: Event<M>): { state: Party; outputs: ReadonlyArray<Out> } => {
  const arrive: Out = { _tag: "Send", to: coordinator, message: { _tag: "Arrive", generation: s.generation } }
  const retry = (now: number): Out => ({ _tag: "SetTimer", key: "retry", at: now + 100 })
  const work = (now: number, random: number): Out => ({
    _tag: "SetTimer",
    key: "work",
    at: now + Math.floor(random * 50)
  })
  switch (e._tag) {
    case "Start":
      return { state: s, outputs: s.arrived ? [arrive, retry(e.now)] : [work(e.now, e.random)] }
    case "Timer":
      if (e.key === "work" && !s.arrived) return { state: { ...s, arrived: true }, outputs: [arrive, retry(e.now)] }
      if (e.key === "retry" && s.arrived) return { state: s, outputs: [arrive, retry(e.now)] }
      return { state: s, outputs: [] }
    case "Receive": {
      const m = e.message
      if (m._tag === "Arrive" || m.generation !== s.generation || !s.arrived) return { state: s, outputs: [] }
      const passed = m._tag === "Release" ? m.generation : s.passed
      return {
        state: { _tag: "Party", generation: s.generation + 1, arrived: false, passed },
        outputs: [{ _tag: "CancelTimer", key: "retry" }, work(e.now, e.random)]
      }
    }
  }
}

const protocol = (timeout: number, broken: boolean): Protocol<State, M, Persisted, Barrier.BarrierEmit> => {
  const barrier = Barrier.makeBarrier({ parties: broken ? parties.slice(0, -1) : parties, timeout })
  return {
    name: "barrier",
    init: (self, persisted) =>
      self.node === coordinator.node
        ? {
            _tag: "Coordinator",
            barrier: barrier.init(self, persisted !== undefined && !("_tag" in persisted) ? persisted : undefined)
          }
        : persisted !== undefined && "_tag" in persisted
          ? persisted
          : { _tag: "Party", generation: 0, arrived: false, passed: -1 },
    step: (s, e) => {
      if (s._tag === "Party") return partyStep(s, e)
      const next = barrier.step(s.barrier, e)
      return { state: { _tag: "Coordinator", barrier: next.state }, outputs: next.outputs }
    },
    persist: (s) => (s._tag === "Party" ? s : s.barrier),
    isMessage: Barrier.isBarrierMessage
  }
}

/** One seeded barrier run; `broken` makes the coordinator forget the last party. */
export const barrierScenario = (
  seed: number,
  broken = false
): SimulateOptions<State, M, Persisted, Barrier.BarrierEmit> => ({
  seed,
  scenario: broken ? "barrier-broken" : "barrier",
  protocol: protocol(300, broken),
  nodes: ["coord", ...parties],
  duration: 2_000,
  quiet: 1_000,
  network: { defaults: { minDelay: 1, maxDelay: 15, drop: 0.05, duplicate: 0.05 } },
  faults: { interval: 200, crash: true, maxDown: 2, partition: true },
  checker: () => {
    const arrivals = new Map<number, Set<string>>()
    const passedBy = new Map<string, number>()
    let passes = 0
    return {
      step: (view) => {
        const s = view.state
        if (s._tag !== "Party") return undefined
        if (s.arrived) {
          const set = arrivals.get(s.generation) ?? new Set<string>()
          set.add(view.node)
          arrivals.set(s.generation, set)
        }
        if (s.passed > (passedBy.get(view.node) ?? -1)) {
          passedBy.set(view.node, s.passed)
          passes++
          const arrived = arrivals.get(s.passed)?.size ?? 0
          if (arrived < parties.length)
            return `${view.node} passed generation ${s.passed} when only ${arrived} of ${parties.length} parties had arrived`
        }
        return undefined
      },
      final: () => (passes === 0 ? "liveness: no party ever passed the barrier" : undefined)
    }
  }
})
