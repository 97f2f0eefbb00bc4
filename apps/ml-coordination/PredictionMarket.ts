/**
 * Prediction markets with an LMSR market maker, settled through the ledger. A sponsor funds the
 * market maker with its worst-case loss (`payout · b · ln n`, rounded up); traders buy and sell
 * shares of outcomes at the LMSR price; when the outcome is known, each share of it pays `payout`
 * and whatever is left goes back to the sponsor. Every movement of money is a ledger transfer, so
 * money is conserved; charges round up and proceeds round down, so the market maker can always pay
 * (asserted after every trade).
 *
 * @since 0.1.0
 */
import { Effect, Schema, Semaphore } from "effect"
import { AccountId, Amount, Ledger } from "../../src/economics/index.ts"
import { decodeInput, InvalidInput } from "../../src/errors/index.ts"
import { InsufficientShares, MarketSettled } from "./errors.ts"
import * as Lmsr from "./lmsr.ts"

const Name = Schema.String.check(Schema.isBetweenLength(1, 64))

/** Options of a market. */
export const MarketOptions = Schema.Struct({
  /** Market id; its ledger account is `market:<id>`. */
  id: Name,
  /** The mutually exclusive outcomes, 2 to 16 distinct names. */
  outcomes: Schema.Array(Name).check(Schema.isMinLength(2), Schema.isMaxLength(16)),
  /** The liquidity `b`, in shares: larger means prices move less per share. */
  liquidity: Schema.Finite.check(Schema.isBetween({ minimum: 1e-3, maximum: 1e6 })),
  /** What one winning share pays, in minor units (at most 10^9). */
  payout: Amount.check(Schema.isBetweenBigInt({ minimum: 1n, maximum: 1_000_000_000n })),
  /** The account that funds the market maker and receives what is left at settlement. */
  sponsor: AccountId
})
/** Options of a market. */
export type MarketOptions = typeof MarketOptions.Type

/** A trade: `shares` whole shares of `outcome` for `trader` (a ledger account). */
export const TradeInput = Schema.Struct({
  trader: AccountId,
  outcome: Name,
  shares: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))
})
/** A trade. */
export type TradeInput = typeof TradeInput.Type

/** A completed trade: `amount` paid (buy) or received (sell), and the prices after it. */
export interface Fill {
  readonly trader: string
  readonly outcome: string
  readonly shares: number
  readonly side: "buy" | "sell"
  readonly amount: bigint
  readonly prices: ReadonlyArray<number>
}

/** The settlement: what each holder was paid, what went back to the sponsor, the maker's loss. */
export interface Settlement {
  readonly outcome: string
  readonly payouts: ReadonlyArray<{ readonly trader: string; readonly amount: bigint }>
  readonly refund: bigint
  /** Subsidy minus refund: what the market maker lost (at most the subsidy). */
  readonly makerLoss: bigint
}

/** Everything a trade can fail with. */
export type TradeError =
  | MarketSettled
  | InsufficientShares
  | Ledger.InsufficientFunds
  | Ledger.UnknownAccount
  | Ledger.Unauthorized
  | InvalidInput

/** A running market. */
export interface PredictionMarket {
  readonly id: string
  readonly account: string
  readonly outcomes: ReadonlyArray<string>
  /** What the sponsor paid in: `ceil(payout · b · ln n)`. */
  readonly subsidy: bigint
  /** Current prices, one per outcome, in [0, 1] (strictly inside unless floats saturate), summing to 1. */
  readonly prices: Effect.Effect<ReadonlyArray<number>>
  /** What buying would cost now, in minor units. */
  readonly quote: (input: Omit<TradeInput, "trader">) => Effect.Effect<bigint, InvalidInput>
  /** Buys shares; the trader pays the LMSR cost, rounded up. */
  readonly buy: (input: TradeInput) => Effect.Effect<Fill, TradeError>
  /** Sells shares the trader holds; the trader gets the LMSR proceeds, rounded down. */
  readonly sell: (input: TradeInput) => Effect.Effect<Fill, TradeError>
  /** Shares the trader holds, one count per outcome. */
  readonly position: (trader: string) => Effect.Effect<ReadonlyArray<number>>
  /** Pays `payout` per share of `outcome` to its holders and refunds the rest to the sponsor. */
  readonly settle: (outcome: string) => Effect.Effect<Settlement, MarketSettled | InvalidInput>
}

const decodeOptions = decodeInput(MarketOptions, "PredictionMarket.make")
const decodeTrade = decodeInput(TradeInput, "PredictionMarket.trade")
const decodeOutcome = decodeInput(Name, "PredictionMarket.settle")

/**
 * Opens a market: creates its ledger account and moves the subsidy from the sponsor. Fails with
 * `InvalidInput` on bad options (including duplicate outcomes), `AccountExists` if the market id
 * is taken, and `UnknownAccount` / `InsufficientFunds` if the sponsor cannot pay the subsidy (the
 * market account then stays, empty).
 *
 * @example
 * ```ts
 * const market = yield* PredictionMarket.make({ id: "a-vs-b", outcomes: ["a", "b"], liquidity: 100, payout: 100n, sponsor: "house" })
 * yield* market.buy({ trader: "alice", outcome: "a", shares: 30 })
 * ```
 */
export const make = (input: MarketOptions) =>
  Effect.gen(function* () {
    const options = yield* decodeOptions(input)
    const outcomes = options.outcomes
    if (new Set(outcomes).size !== outcomes.length) {
      return yield* Effect.fail(
        new InvalidInput({ where: "PredictionMarket.make", issue: "outcomes must be distinct" })
      )
    }
    const ledger = yield* Ledger.Ledger
    const b = options.liquidity
    const payout = Number(options.payout)
    const account = `market:${options.id}`
    const subsidy = BigInt(Math.ceil(payout * Lmsr.maxLoss(b, outcomes.length)))
    yield* ledger.open(account)
    yield* ledger.transfer({ from: options.sponsor, to: account, amount: subsidy })
    // Transfers carry no idempotency key, so a key conflict cannot happen.
    const pay = (from: string, to: string, amount: bigint) =>
      ledger.transfer({ from, to, amount }).pipe(Effect.catchTag("IdempotencyConflict", (e) => Effect.die(e)))
    const lock = yield* Semaphore.make(1)
    const q: Array<number> = outcomes.map(() => 0)
    const positions = new Map<string, Array<number>>()
    let settled: number | undefined

    const indexOf = (outcome: string, where: string) => {
      const index = outcomes.indexOf(outcome)
      return index < 0
        ? Effect.fail(
            new InvalidInput({ where, issue: `unknown outcome "${outcome}" (expected one of ${outcomes.join(", ")})` })
          )
        : Effect.succeed(index)
    }
    const open = Effect.suspend(() =>
      settled === undefined ? Effect.void : Effect.fail(new MarketSettled({ market: options.id, outcome: settled }))
    )
    // The market maker must be able to pay any outcome: balance >= payout · max q.
    const checkSolvent = Effect.gen(function* () {
      const { available } = yield* Effect.orDie(ledger.balance(account))
      const owed = BigInt(Math.max(...q)) * options.payout
      if (available < owed)
        return yield* Effect.die(new Error(`market ${options.id} insolvent: holds ${available}, owes ${owed}`))
    })

    const trade =
      (side: "buy" | "sell") =>
      (raw: TradeInput): Effect.Effect<Fill, TradeError> =>
        lock.withPermit(
          Effect.uninterruptible(
            Effect.gen(function* () {
              const input = yield* decodeTrade(raw)
              const outcome = yield* indexOf(input.outcome, "PredictionMarket.trade")
              yield* open
              const held = positions.get(input.trader) ?? outcomes.map(() => 0)
              let amount: bigint
              if (side === "buy") {
                amount = BigInt(Math.ceil(payout * Lmsr.tradeCost(q, outcome, input.shares, b)))
                yield* pay(input.trader, account, amount)
                held[outcome] = (held[outcome] ?? 0) + input.shares
                q[outcome] = (q[outcome] ?? 0) + input.shares
              } else {
                const have = held[outcome] ?? 0
                if (have < input.shares) {
                  return yield* new InsufficientShares({
                    market: options.id,
                    trader: input.trader,
                    outcome,
                    held: have,
                    wanted: input.shares
                  })
                }
                amount = BigInt(Math.max(0, Math.floor(-payout * Lmsr.tradeCost(q, outcome, -input.shares, b))))
                if (amount > 0n) yield* pay(account, input.trader, amount)
                held[outcome] = have - input.shares
                q[outcome] = (q[outcome] ?? 0) - input.shares
              }
              positions.set(input.trader, held)
              yield* checkSolvent
              return {
                trader: input.trader,
                outcome: input.outcome,
                shares: input.shares,
                side,
                amount,
                prices: Lmsr.prices(q, b)
              }
            })
          )
        )

    const market: PredictionMarket = {
      id: options.id,
      account,
      outcomes,
      subsidy,
      prices: Effect.sync(() => Lmsr.prices(q, b)),
      quote: (raw) =>
        Effect.gen(function* () {
          const input = yield* decodeTrade({ ...raw, trader: "quote" })
          const outcome = yield* indexOf(input.outcome, "PredictionMarket.quote")
          return BigInt(Math.ceil(payout * Lmsr.tradeCost(q, outcome, input.shares, b)))
        }),
      buy: trade("buy"),
      sell: trade("sell"),
      position: (trader) => Effect.sync(() => positions.get(trader)?.slice() ?? outcomes.map(() => 0)),
      settle: (raw) =>
        lock.withPermit(
          Effect.uninterruptible(
            Effect.gen(function* () {
              const name = yield* decodeOutcome(raw)
              const outcome = yield* indexOf(name, "PredictionMarket.settle")
              yield* open
              settled = outcome
              const payouts: Array<{ trader: string; amount: bigint }> = []
              for (const [trader, held] of positions) {
                const shares = held[outcome] ?? 0
                if (shares === 0) continue
                const amount = BigInt(shares) * options.payout
                yield* Effect.orDie(ledger.transfer({ from: account, to: trader, amount }))
                payouts.push({ trader, amount })
              }
              const { available: refund } = yield* Effect.orDie(ledger.balance(account))
              if (refund > 0n)
                yield* Effect.orDie(ledger.transfer({ from: account, to: options.sponsor, amount: refund }))
              return { outcome: name, payouts, refund, makerLoss: subsidy - refund }
            })
          )
        )
    }
    return market
  })
