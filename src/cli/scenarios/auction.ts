/**
 * Scenario `auction`: bidder agents with private valuations (seeded) compete for two lots in the
 * `AuctionHouse`, every bid escrowed in the `Ledger`. Lot 1 is an English auction (bidders raise
 * by the increment while the price is below their valuation); lot 2 is a sealed second-price
 * auction (bidding the valuation is the best strategy; the winner pays the second-highest bid).
 * The run prints both outcomes, every balance and the ledger audit (money is conserved).
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Random, Schema } from "effect"
import { Agent, AgentSystem } from "../../agent/index.ts"
import { Probe } from "../../dashboard/index.ts"
import { AuctionHouse, Ledger } from "../../economics/index.ts"
import type { Scenario, ScenarioOptions } from "./Scenario.ts"

const Raise = Agent.request("Raise", { high: Schema.Int, leader: Schema.String, increment: Schema.Int }, Schema.Int)
const Sealed = Agent.request("Sealed", {}, Schema.Int)

/** A bidder raises while it is not leading and the next price is within its valuation. */
const makeBidder = (valuation: number, paceMillis: number) =>
  Agent.make({
    name: "bidder",
    messages: Schema.Union([Raise, Sealed]),
    capabilities: ["bidder"],
    initial: () => valuation,
    handle: (value: number, msg, ctx) => {
      const answer = Effect.sync(() => {
        if (msg._tag === "Sealed") ctx.reply(msg, value)
        else {
          const next = msg.high + msg.increment
          ctx.reply(msg, msg.leader !== ctx.self.id && next <= value ? next : 0)
        }
        return value
      })
      return paceMillis > 0 ? Effect.andThen(Effect.sleep(paceMillis), answer) : answer
    }
  })

const BUDGET = 200n
const MAX_RAISES = 1_000

const run = (options: ScenarioOptions) =>
  Effect.gen(function* () {
    const agents = yield* AgentSystem
    const probe = yield* Probe
    const count = options.agents ?? 4
    if (!Number.isInteger(count) || count < 2 || count > 100) {
      return yield* Effect.fail(new Error(`--agents must be an integer from 2 to 100 (got ${count})`))
    }
    const services = yield* Layer.build(AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)))
    const ledger = Context.get(services, Ledger.Ledger)
    const house = Context.get(services, AuctionHouse.AuctionHouse)
    const names = Array.from({ length: count }, (_, i) => `bidder-${i + 1}`)
    yield* ledger.open("seller")
    for (const name of names) {
      yield* ledger.open(name)
      yield* ledger.mint({ account: name, amount: BUDGET })
    }
    yield* probe.watchLedger(ledger, ["seller", ...names])
    yield* probe.watchAuctions(house)
    const valuations = yield* Effect.forEach(names, () => Random.nextIntBetween(60, 180))
    const bidders = yield* Effect.forEach(names, (name, i) =>
      agents.spawn(makeBidder(valuations[i]!, options.paceMillis), { id: name })
    )
    const lines = [`auction: ${count} bidders with budget ${BUDGET} each (seed ${options.seed})`]
    lines.push(`  valuations: ${names.map((n, i) => `${n} ${valuations[i]}`).join(", ")}`)
    // Soft close: each bid moves the deadline to `quiet` ms after it, so the English auction
    // ends once bidding has stopped, however slow the machine or the pace is.
    const quiet = 1_000 + 2 * count * options.paceMillis

    for (let round = 1; round <= options.rounds; round++) {
      yield* probe.setPhase(`round ${round}/${options.rounds}: english`)
      const english = `english-${round}`
      yield* house.open({
        kind: "english",
        id: english,
        seller: "seller",
        reserve: 20n,
        increment: 5n,
        duration: quiet,
        softClose: { window: quiet, extension: quiet, maxDuration: 600_000 }
      })
      let high = 0
      let leader = ""
      let raised = true
      for (let raises = 0; raised && raises < MAX_RAISES; ) {
        raised = false
        for (const bidder of bidders) {
          const bid = yield* bidder.ask(Raise.make({ high: Math.max(high, 15), leader, increment: 5 }))
          if (bid === 0) continue
          const placed = yield* house.bid({ auction: english, bidder: bidder.id, amount: BigInt(bid) }).pipe(
            Effect.as(true),
            Effect.orElseSucceed(() => false)
          )
          if (!placed) continue
          high = bid
          leader = bidder.id
          raised = true
          raises++
          yield* probe.fact(english, `high bid ${high} by ${leader}`)
        }
      }
      const first = (yield* house.outcome(english)).award
      const firstLine = first === undefined ? "unsold" : `won by ${first.winner}, pays ${first.payment}`
      yield* probe.fact(english, firstLine)
      lines.push(`  ${english}: ${firstLine}`)

      yield* probe.setPhase(`round ${round}/${options.rounds}: second-price`)
      const sealed = `second-price-${round}`
      // Sealed bids are collected first, then placed at once: the short deadline cannot be missed.
      const bids = yield* Effect.forEach(bidders, (bidder) => bidder.ask(Sealed.make({})))
      yield* house.open({ kind: "second-price", id: sealed, seller: "seller", reserve: 20n, duration: 300 })
      for (const [i, bidder] of bidders.entries()) {
        // A bidder that spent its budget on an earlier lot cannot escrow its valuation: it sits out.
        yield* house.bid({ auction: sealed, bidder: bidder.id, amount: BigInt(bids[i]!) }).pipe(Effect.ignore)
      }
      const second = (yield* house.outcome(sealed)).award
      const secondLine =
        second === undefined ? "unsold" : `won by ${second.winner}, bid ${second.bid}, pays ${second.payment}`
      yield* probe.fact(sealed, secondLine)
      lines.push(`  ${sealed}: ${secondLine}`)
    }
    yield* probe.setPhase("done")
    const balances = yield* Effect.forEach(["seller", ...names], (name) =>
      Effect.map(ledger.balance(name), (b) => `${name} ${b.available}`)
    )
    const audit = yield* ledger.audit
    lines.push(`  balances: ${balances.join(", ")}`)
    lines.push(`  ledger audit: supply ${audit.supply}, held ${audit.held} (money conserved)`)
    return { lines }
  })

/**
 * English and second-price auctions between bidder agents, with escrow in the ledger.
 *
 * @since 0.1.0
 * @category utils
 */
export const auction: Scenario = {
  name: "auction",
  description: "bidder agents compete in an English and a second-price auction with escrow",
  maxAgents: 100,
  run
}
