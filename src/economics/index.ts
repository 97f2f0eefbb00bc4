/**
 * Economics (`mabeam/economics`): a ledger with escrow, auction mechanisms and a live auction
 * house, budgets, reputation and an order book. Each capability is a namespace; money is `bigint`
 * minor units.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { AuctionHouse, Ledger } from "mabeam/economics"
 *
 * const program = Effect.gen(function*() {
 *   const ledger = yield* Ledger.Ledger
 *   const house = yield* AuctionHouse.AuctionHouse
 *   for (const name of ["seller", "alice", "bob"]) yield* ledger.open(name)
 *   yield* ledger.mint({ account: "alice", amount: 100n })
 *   yield* ledger.mint({ account: "bob", amount: 100n })
 *   yield* house.open({ kind: "second-price", id: "gpu-1h", seller: "seller", reserve: 10n, duration: 1_000 })
 *   yield* house.bid({ auction: "gpu-1h", bidder: "alice", amount: 70n })   // escrowed
 *   yield* house.bid({ auction: "gpu-1h", bidder: "bob", amount: 45n })
 *   return (yield* house.outcome("gpu-1h")).award   // alice pays 45
 * }).pipe(Effect.provide(AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer))))
 * ```
 *
 * @since 0.1.0
 */
export * as AuctionHouse from "./auction-house/index.ts"
export * as Auctions from "./auctions/index.ts"
export * as Budgets from "./budgets/index.ts"
export * as Ledger from "./ledger/index.ts"
export * as Market from "./market/index.ts"
export { AccountId, Amount, MAX_AMOUNT, NonNegativeAmount } from "./money.ts"
export * as Reputation from "./reputation/index.ts"
