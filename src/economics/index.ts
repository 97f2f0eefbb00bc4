/**
 * Economics: a ledger with escrow, auction mechanisms and a live auction house, budgets,
 * reputation and an order book. Each capability is a namespace; money is `bigint` minor units.
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
