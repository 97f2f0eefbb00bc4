/**
 * The negotiation scenarios, under crashes, partitions, drops and duplicates.
 * - contract-net: a manager runs task after task over four contractors with deterministic prices.
 *   Checks: the award goes to the lowest real bid received by the bid deadline, at that deadline at
 *   the latest; no task is held by two contractors; (liveness) an award is confirmed once healed.
 * - bargaining: a buyer and a seller with a zone of agreement alternate offers until a deadline.
 *   Checks: a deal lies within both reservations, at a price the other party really offered in
 *   that round, before the deadline; two parties with a deal agree on it.
 */
import type { Protocol } from "../../../src/coordination/index.ts"
import { Negotiation } from "../../../src/coordination/index.ts"
import type { SimulateOptions } from "../../../src/sim/index.ts"

type M = Negotiation.ContractMessage
type State =
  | { readonly _tag: "Manager"; readonly m: Negotiation.ManagerState }
  | { readonly _tag: "Contractor"; readonly node: string; readonly c: Negotiation.ContractorState }
const contractors = ["k1", "k2", "k3", "k4"]

/** What `node` charges for `task` (`undefined`: it does not bid). */
export const price = (node: string, task: number): number | undefined =>
  (task + node.charCodeAt(1)) % 5 === 0 ? undefined : ((node.charCodeAt(1) * 13 + task * 7) % 50) + 10

const contractNet = (
  broken: boolean
): Protocol<State, M, number | Negotiation.ContractorState, Negotiation.ManagerEmit> => {
  const manager = Negotiation.makeManager({
    contractors,
    service: "cnet",
    bidDeadline: 120,
    awardDeadline: 100,
    retry: 40,
    tasks: 1_000,
    gap: 20,
    unsafeFirstBid: broken
  })
  return {
    name: "cnet",
    init: (self, persisted) =>
      self.node === "mgr"
        ? { _tag: "Manager", m: manager.init(self, typeof persisted === "number" ? persisted : undefined) }
        : { _tag: "Contractor", node: self.node, c: typeof persisted === "object" ? persisted : { won: [], keep: 64 } },
    step: (s, e) => {
      if (s._tag === "Contractor") {
        const next = Negotiation.contractorStep((task) => price(s.node, task))(s.c, e)
        return { state: { ...s, c: next.state }, outputs: next.outputs }
      }
      const next = manager.step(s.m, e)
      return { state: { _tag: "Manager", m: next.state }, outputs: next.outputs }
    },
    persist: (s) => (s._tag === "Manager" ? manager.persist(s.m) : s.c),
    isMessage: Negotiation.isContractMessage
  }
}

/** One seeded contract-net run; `broken` awards to the first bidder. */
export const contractNetScenario = (
  seed: number,
  broken = false
): SimulateOptions<State, M, number | Negotiation.ContractorState, Negotiation.ManagerEmit> => {
  const duration = 1_000
  return {
    seed,
    scenario: broken ? "contract-net-broken" : "contract-net",
    protocol: contractNet(broken),
    nodes: ["mgr", ...contractors],
    duration,
    quiet: 500,
    network: { defaults: { minDelay: 1, maxDelay: 20, drop: 0.05, duplicate: 0.05 } },
    faults: { interval: 150, crash: true, maxDown: 2, partition: true },
    checker: () => {
      const holders = new Map<number, string>()
      let confirmed = -1
      return {
        step: (view) => {
          const s = view.state
          if (s._tag === "Contractor") {
            for (const w of s.c.won) {
              const other = holders.get(w.task)
              if (other !== undefined && other !== view.node)
                return `task ${w.task} held by both ${other} and ${view.node}`
              holders.set(w.task, view.node)
              if (w.price !== price(view.node, w.task))
                return `${view.node} won task ${w.task} at ${w.price}, but bid ${price(view.node, w.task)}`
            }
            return undefined
          }
          for (const o of view.outputs) {
            if (o._tag !== "Emit") continue
            const v = o.value
            if (v._tag === "Confirmed") confirmed = view.now
            if (v._tag !== "Awarded") continue
            for (const b of v.bids)
              if (b.price !== price(b.contractor, v.task))
                return `task ${v.task}: recorded bid ${b.price} of ${b.contractor} was never made`
            const best = Negotiation.bestBid(v.bids)
            if (best?.contractor !== v.winner.contractor)
              return `award correctness: task ${v.task} went to ${v.winner.contractor} at ${v.winner.price}, best bid ${best?.contractor} at ${best?.price}`
            const closes = s.m.announcedAt + s.m.config.bidDeadline
            if (view.now > closes) return `task ${v.task} awarded at ${view.now}, after the bid deadline ${closes}`
          }
          return undefined
        },
        final: () =>
          confirmed < duration ? `liveness: no award confirmed after the faults stopped at ${duration} ms` : undefined
      }
    }
  }
}

type B = Negotiation.BargainState

/** One seeded bargaining run (buyer reservation 100, seller 60, deadline 500 ms); `broken` seller accepts anything. */
export const bargainScenario = (
  seed: number,
  broken = false
): SimulateOptions<B, Negotiation.BargainMessage, B, Negotiation.BargainEmit> => {
  const common = { start: 0, deadline: 500, retry: 30 }
  const buyer: Negotiation.Bargainer = {
    ...common,
    role: "buyer",
    initial: 20,
    reservation: 100,
    beta: 0.5 + (seed % 5) * 0.5,
    peer: { node: "seller", id: "bargain" }
  }
  const seller: Negotiation.Bargainer = {
    ...common,
    role: "seller",
    initial: 150,
    reservation: 60,
    beta: 0.5 + (seed % 3) * 0.75,
    peer: { node: "buyer", id: "bargain" },
    unsafeAcceptAnything: broken
  }
  const parties = { buyer: Negotiation.makeBargainer(buyer), seller: Negotiation.makeBargainer(seller) }
  return {
    seed,
    scenario: broken ? "bargain-broken" : "bargain",
    protocol: {
      ...parties.buyer,
      init: (self, persisted) => (self.node === "buyer" ? parties.buyer : parties.seller).init(self, persisted)
    },
    nodes: ["buyer", "seller"],
    duration: 600,
    network: { defaults: { minDelay: 1, maxDelay: 20, drop: 0.1, duplicate: 0.05 } },
    faults: { interval: 100, crash: true, maxDown: 1, partition: true },
    checker: () => {
      const offered = new Map<string, Set<string>>([
        ["buyer", new Set()],
        ["seller", new Set()]
      ])
      return {
        step: (view) => {
          const s = view.state
          for (const o of view.outputs)
            if (o._tag === "Send" && o.message._tag === "Offer")
              offered.get(view.node)?.add(`${o.message.round}:${o.message.price}`)
          const deal = s.deal
          if (deal === undefined) return undefined
          if (deal.price > 100 || deal.price < 60) return `rationality: deal at ${deal.price} outside [60, 100]`
          const key = `${deal.round}:${deal.price}`
          if (!offered.get("buyer")?.has(key) && !offered.get("seller")?.has(key))
            return `deal ${key} was never offered`
          if (view.outputs.some((o) => o._tag === "Emit" && o.value._tag === "Agreed") && view.now >= s.me.deadline)
            return `deal at ${view.now}, after the deadline`
          for (const [node, t] of view.states) {
            if (
              node !== view.node &&
              t.deal !== undefined &&
              (t.deal.price !== deal.price || t.deal.round !== deal.round)
            ) {
              return `${view.node} agreed ${key} but ${node} agreed ${t.deal.round}:${t.deal.price}`
            }
          }
          return undefined
        }
      }
    }
  }
}
