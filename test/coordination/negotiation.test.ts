import { assert, describe, it } from "@effect/vitest"
import type { Event, Output, Step } from "../../src/coordination/index.ts"
import { Negotiation } from "../../src/coordination/index.ts"

type CM = Negotiation.ContractMessage
const config: Negotiation.ManagerConfig = {
  contractors: ["a", "b", "c"],
  service: "cnet",
  bidDeadline: 100,
  awardDeadline: 50,
  retry: 30,
  tasks: 1,
  gap: 0
}
const at = (node: string) => ({ node, id: "cnet" })
const recv = <M>(from: string, message: M, now: number): Event<M> => ({
  _tag: "Receive",
  from: at(from),
  message,
  now,
  random: 0
})
const tick = <M>(key: string, now: number): Event<M> => ({ _tag: "Timer", key, now, random: 0 })
const emits = <M, O>(outputs: ReadonlyArray<Output<M, O>>) =>
  outputs.flatMap((o) => (o._tag === "Emit" ? [o.value] : []))
const sends = <M, O>(outputs: ReadonlyArray<Output<M, O>>) =>
  outputs.flatMap((o) => (o._tag === "Send" ? [[o.to.node, o.message] as const] : []))

const announced = () => {
  const manager = Negotiation.makeManager(config)
  return Negotiation.managerStep(manager.init(at("m"), undefined), { _tag: "Start", now: 0, random: 0 })
}

describe("Contract-net", () => {
  it("announces to every contractor and awards the lowest bid once all bid; the others lose", () => {
    let step: Step<Negotiation.ManagerState, CM, Negotiation.ManagerEmit> = announced()
    assert.deepStrictEqual(
      sends(step.outputs).map(([to]) => to),
      ["a", "b", "c"]
    )
    step = Negotiation.managerStep(step.state, recv<CM>("a", { _tag: "Bid", task: 1, price: 30 }, 10))
    step = Negotiation.managerStep(step.state, recv<CM>("b", { _tag: "Bid", task: 1, price: 20 }, 11))
    step = Negotiation.managerStep(step.state, recv<CM>("c", { _tag: "Bid", task: 1, price: 20 }, 12))
    assert.deepStrictEqual(emits(step.outputs)[0], {
      _tag: "Awarded",
      task: 1,
      winner: { contractor: "b", price: 20 },
      bids: step.state.bids
    })
    assert.deepStrictEqual(sends(step.outputs), [
      ["b", { _tag: "Award", task: 1, price: 20 }],
      ["a", { _tag: "Lost", task: 1 }],
      ["c", { _tag: "Lost", task: 1 }]
    ])
    const done = Negotiation.managerStep(step.state, recv<CM>("b", { _tag: "Accepted", task: 1 }, 20))
    assert.deepStrictEqual(emits(done.outputs), [
      { _tag: "Confirmed", task: 1, winner: { contractor: "b", price: 20 } }
    ])
  })

  it("ignores a bid at or after the deadline, and reports NoBids when nobody bid in time", () => {
    const late = Negotiation.managerStep(announced().state, recv<CM>("a", { _tag: "Bid", task: 1, price: 1 }, 100))
    assert.deepStrictEqual(late.state.bids, [])
    const closed = Negotiation.managerStep(late.state, tick("bids", 100))
    assert.deepStrictEqual(emits(closed.outputs), [{ _tag: "NoBids", task: 1 }])
    assert.strictEqual(closed.state.phase, "idle")
  })

  it("an award not accepted by its deadline is reported unconfirmed, never re-awarded", () => {
    const bid = Negotiation.managerStep(announced().state, recv<CM>("a", { _tag: "Bid", task: 1, price: 5 }, 10))
    const awarded = Negotiation.managerStep(bid.state, tick("bids", 100))
    const expired = Negotiation.managerStep(awarded.state, tick("award", 150))
    assert.deepStrictEqual(emits(expired.outputs), [
      { _tag: "Unconfirmed", task: 1, winner: { contractor: "a", price: 5 } }
    ])
    assert.deepStrictEqual(sends(expired.outputs), [])
  })

  it("a contractor bids only while the call is open, and accepts an award once", () => {
    const step = Negotiation.contractorStep((task) => (task === 2 ? undefined : 7))
    const s = { won: [], keep: 4 }
    assert.deepStrictEqual(sends(step(s, recv<CM>("m", { _tag: "Announce", task: 1, closesAt: 50 }, 10)).outputs), [
      ["m", { _tag: "Bid", task: 1, price: 7 }]
    ])
    assert.deepStrictEqual(step(s, recv<CM>("m", { _tag: "Announce", task: 1, closesAt: 50 }, 50)).outputs, [])
    assert.deepStrictEqual(step(s, recv<CM>("m", { _tag: "Announce", task: 2, closesAt: 50 }, 10)).outputs, [])
    const once = step(s, recv<CM>("m", { _tag: "Award", task: 1, price: 7 }, 20)).state
    assert.strictEqual(step(once, recv<CM>("m", { _tag: "Award", task: 1, price: 7 }, 21)).state.won.length, 1)
  })
})

describe("Alternating offers", () => {
  const base = { start: 0, deadline: 1_000, retry: 50 }
  const buyer: Negotiation.Bargainer = {
    ...base,
    role: "buyer",
    initial: 20,
    reservation: 100,
    beta: 1,
    peer: { node: "seller", id: "bargain" }
  }
  const seller: Negotiation.Bargainer = {
    ...base,
    role: "seller",
    initial: 150,
    reservation: 60,
    beta: 1,
    peer: { node: "buyer", id: "bargain" }
  }
  const fresh = (me: Negotiation.Bargainer): Negotiation.BargainState => ({
    me,
    round: 0,
    last: undefined,
    deal: undefined,
    over: false
  })

  it("concedes linearly from the initial price to the reservation by the deadline", () => {
    assert.strictEqual(Negotiation.offerAt(buyer, 0), 20)
    assert.strictEqual(Negotiation.offerAt(buyer, 500), 60)
    assert.strictEqual(Negotiation.offerAt(buyer, 2_000), 100)
    assert.isFalse(Negotiation.acceptable(seller, 59, 999))
  })

  it("two parties with a zone of agreement reach one deal inside it, both knowing it", () => {
    let b = Negotiation.bargainStep(fresh(buyer), { _tag: "Start", now: 0, random: 0 })
    let s = { state: fresh(seller), outputs: [] } as Step<
      Negotiation.BargainState,
      Negotiation.BargainMessage,
      Negotiation.BargainEmit
    >
    let inFlight: ReadonlyArray<readonly [string, Negotiation.BargainMessage]> = sends(b.outputs).map(
      ([, m]) => ["seller", m] as const
    )
    let now = 0
    while (inFlight.length > 0 && now < 1_000) {
      now += 40
      const next: Array<readonly [string, Negotiation.BargainMessage]> = []
      for (const [to, m] of inFlight) {
        if (to === "seller") {
          s = Negotiation.bargainStep(s.state, recv("buyer", m, now))
          next.push(...sends(s.outputs).map(([, x]) => ["buyer", x] as const))
        } else {
          b = Negotiation.bargainStep(b.state, recv("seller", m, now))
          next.push(...sends(b.outputs).map(([, x]) => ["seller", x] as const))
        }
      }
      inFlight = next
    }
    assert.isDefined(b.state.deal)
    assert.deepStrictEqual(b.state.deal, s.state.deal)
    assert.isTrue(b.state.deal!.price >= 60 && b.state.deal!.price <= 100)
  })

  it("at the deadline a party without a deal stops with NoAgreement and offers nothing more", () => {
    const opened = Negotiation.bargainStep(fresh(buyer), { _tag: "Start", now: 0, random: 0 }).state
    const over = Negotiation.bargainStep(opened, tick("deadline", 1_000))
    assert.deepStrictEqual(emits(over.outputs), [{ _tag: "NoAgreement", round: 0 }])
    assert.deepStrictEqual(sends(Negotiation.bargainStep(over.state, tick("retry", 1_010)).outputs), [])
    assert.isFalse(Negotiation.isBargainMessage({ _tag: "Offer", round: 1, price: Number.NaN }))
  })
})
