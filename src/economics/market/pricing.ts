/**
 * Dynamic pricing for a resource, as pure functions: a reference price learned from recent
 * clearing prices (a quantity-weighted mean whose weights halve every `halfLife` ms of Clock
 * time), then moved by utilisation — above the `target` the quote rises, below it falls.
 *
 *   quote = clamp(round(reference × (1 + sensitivity × (utilisation − target))), floor, ceiling)
 *
 * The reference is a float inside (a quote, not money); every quote is a whole `bigint` amount
 * in [floor, ceiling], so it can be used directly as an order or auction reserve price. Feed it
 * the `Marketplace.fills` of a market, or the payments of settled auctions.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Amount } from "../money.ts"

const Ratio = Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 }))

/**
 * How a resource is priced. `initial` is the reference until the first trade.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PricingConfig = Schema.Struct({
  initial: Amount,
  floor: Amount,
  ceiling: Amount,
  halfLife: Schema.Int.check(Schema.isGreaterThan(0)),
  target: Ratio,
  sensitivity: Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 10 }))
})
/**
 * How a resource is priced.
 *
 * @since 0.1.0
 * @category models
 */
export type PricingConfig = typeof PricingConfig.Type

/**
 * What the pricer has learned: the weighted mean clearing price, its decayed weight, and when.
 *
 * @since 0.1.0
 * @category models
 */
export interface PriceState {
  readonly mean: number
  readonly weight: number
  readonly at: number
}

/**
 * A pricer that has seen no trade, at Clock time `now`.
 *
 * @since 0.1.0
 * @category utils
 */
export const pricingInit = (config: PricingConfig, now: number): PriceState => ({
  mean: Number(config.initial),
  weight: 0,
  at: now
})

const decayed = (state: PriceState, config: PricingConfig, at: number): number =>
  state.weight * Math.pow(2, -Math.max(0, at - state.at) / config.halfLife)

/**
 * Learns from one trade of `quantity` units at `price` each, at Clock time `at`.
 *
 * @since 0.1.0
 * @category utils
 */
export const observeTrade = (
  state: PriceState,
  config: PricingConfig,
  trade: { readonly price: bigint; readonly quantity: number; readonly at: number }
): PriceState => {
  const weight = decayed(state, config, trade.at)
  const total = weight + trade.quantity
  return {
    mean: total === 0 ? state.mean : (state.mean * weight + Number(trade.price) * trade.quantity) / total,
    weight: total,
    at: Math.max(state.at, trade.at)
  }
}

/**
 * The price to ask now, given `utilisation` in [0, 1] (clamped). With no trades it starts from
 * `initial`; as trades age, their mean keeps its value but loses weight against new trades.
 *
 * @example
 * ```ts
 * const config = { initial: 100n, floor: 10n, ceiling: 1000n, halfLife: 60_000, target: 0.7, sensitivity: 1 }
 * let state = pricingInit(config, 0)
 * state = observeTrade(state, config, { price: 120n, quantity: 3, at: 1000 })
 * quote(state, config, 0.9) // 144n: 120 × (1 + 0.2)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const quote = (state: PriceState, config: PricingConfig, utilisation: number): bigint => {
  const u = Number.isNaN(utilisation) ? config.target : Math.min(1, Math.max(0, utilisation))
  const raw = Math.round(state.mean * (1 + config.sensitivity * (u - config.target)))
  const price = Number.isFinite(raw) ? BigInt(Math.max(0, Math.min(Number.MAX_SAFE_INTEGER, raw))) : config.ceiling
  return price < config.floor ? config.floor : price > config.ceiling ? config.ceiling : price
}
