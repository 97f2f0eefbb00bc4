/**
 * A limit order book for tasks or resources, as pure functions. Price-time priority: the best
 * price matches first, and among equal prices the earlier order. A trade happens at the resting
 * order's price. An owner never trades with itself (its own resting orders are skipped). The
 * book holds at most `maxOrders` resting orders; an order that would rest beyond that is
 * reported as `overflow` and not added (the caller rejects it).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { AccountId, Amount } from "../money.ts"

/**
 * An order: buy or sell `quantity` units at a limit `price` per unit.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Order = Schema.Struct({
  side: Schema.Literals(["buy", "sell"]),
  owner: AccountId,
  price: Amount,
  quantity: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))
})
/**
 * An order.
 *
 * @since 0.1.0
 * @category models
 */
export type Order = typeof Order.Type

/**
 * An order resting in the book, with its id and arrival sequence.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resting extends Order {
  readonly id: number
}

/**
 * One trade: `quantity` units at `price` each.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fill {
  readonly buyOrder: number
  readonly sellOrder: number
  readonly buyer: string
  readonly seller: string
  readonly price: bigint
  readonly quantity: number
}

/**
 * The book: bids best (highest) first, asks best (lowest) first; ties by arrival.
 *
 * @since 0.1.0
 * @category models
 */
export interface OrderBook {
  readonly bids: ReadonlyArray<Resting>
  readonly asks: ReadonlyArray<Resting>
  readonly nextId: number
  readonly maxOrders: number
}

/**
 * The result of `submit`: the new book, the fills in order, and what of the order rests.
 *
 * @since 0.1.0
 * @category models
 */
export interface Submitted {
  readonly book: OrderBook
  readonly id: number
  readonly fills: ReadonlyArray<Fill>
  readonly resting: Resting | undefined
  readonly overflow: boolean
}

/**
 * An empty book holding at most `maxOrders` resting orders.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyBook = (maxOrders = 10_000): OrderBook => ({ bids: [], asks: [], nextId: 1, maxOrders })

const crosses = (order: Order, resting: Resting): boolean =>
  order.side === "buy" ? resting.price <= order.price : resting.price >= order.price

// The first index in `same` (sorted best first) where a new order at `price` goes: after every
// order at a better or equal price, so earlier arrivals keep priority. Binary search.
const insertionPoint = (same: ReadonlyArray<Resting>, side: Order["side"], price: bigint): number => {
  let lo = 0
  let hi = same.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const p = (same[mid] as Resting).price
    if (side === "buy" ? p >= price : p <= price) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Matches `order` against the book and rests what is left. Only the matched prefix of the
 * opposite side is rebuilt; the rest is shared by slice, and the resting order is inserted by
 * binary search, so a submit costs O(fills + log n) comparisons plus one array copy per side.
 *
 * @since 0.1.0
 * @category utils
 */
export const submit = (book: OrderBook, order: Order): Submitted => {
  const id = book.nextId
  const opposite = order.side === "buy" ? book.asks : book.bids
  const fills: Array<Fill> = []
  const kept: Array<Resting> = []
  let left = order.quantity
  let index = 0
  // Sorted best first: the first order that does not cross ends the matching.
  for (; index < opposite.length && left > 0; index++) {
    const resting = opposite[index] as Resting
    if (!crosses(order, resting)) break
    if (resting.owner === order.owner) {
      kept.push(resting)
      continue
    }
    const quantity = Math.min(left, resting.quantity)
    left -= quantity
    const [buy, sell] =
      order.side === "buy" ? [{ id, owner: order.owner }, resting] : [resting, { id, owner: order.owner }]
    fills.push({
      buyOrder: buy.id,
      sellOrder: sell.id,
      buyer: buy.owner,
      seller: sell.owner,
      price: resting.price,
      quantity
    })
    if (resting.quantity > quantity) kept.push({ ...resting, quantity: resting.quantity - quantity })
  }
  const remainingOpposite = index === 0 ? opposite : kept.concat(opposite.slice(index))
  const size = book.bids.length + book.asks.length - opposite.length + remainingOpposite.length
  const overflow = left > 0 && size >= book.maxOrders
  const resting: Resting | undefined = left > 0 && !overflow ? { ...order, id, quantity: left } : undefined
  const same = order.side === "buy" ? book.bids : book.asks
  let newSame = same
  if (resting !== undefined) {
    const at = insertionPoint(same, order.side, order.price)
    const inserted = same.slice(0, at)
    inserted.push(resting)
    for (let i = at; i < same.length; i++) inserted.push(same[i] as Resting)
    newSame = inserted
  }
  return {
    book: {
      ...book,
      nextId: id + 1,
      bids: order.side === "buy" ? newSame : remainingOpposite,
      asks: order.side === "buy" ? remainingOpposite : newSame
    },
    id,
    fills,
    resting,
    overflow
  }
}

/**
 * Removes a resting order; returns it, or `undefined` if it is not in the book.
 *
 * @since 0.1.0
 * @category utils
 */
export const cancel = (
  book: OrderBook,
  id: number
): { readonly book: OrderBook; readonly removed: Resting | undefined } => {
  const removed = book.bids.find((r) => r.id === id) ?? book.asks.find((r) => r.id === id)
  if (removed === undefined) return { book, removed }
  return {
    book: { ...book, bids: book.bids.filter((r) => r.id !== id), asks: book.asks.filter((r) => r.id !== id) },
    removed
  }
}
