/**
 * Marketplace: a price-time priority order book for tasks and resources (pure matching).
 *
 * @since 0.1.0
 */
export { cancel, emptyBook, type Fill, Order, type OrderBook, type Resting, submit, type Submitted } from "./orderBook.ts"
