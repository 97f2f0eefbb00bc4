/**
 * Exact winner determination for combinatorial auctions: depth-first branch and bound over
 * items (the CASS formulation). At each node the lowest-numbered free item is either given to one
 * compatible bid whose lowest item it is, or left unsold; a node is pruned when its value plus an
 * optimistic bound (each free item priced at the best per-item price any bid offers for it, among
 * bids that are still feasible) cannot beat the best allocation found so far by at least 1.
 *
 * Amounts are JavaScript numbers here; the caller guarantees the total of all bids is a safe
 * integer, so every sum of chosen bids is exact. Only the bound uses fractions, and pruning keeps
 * a tolerance so rounding can never cut an optimal branch.
 *
 * Internal: only `combinatorial.ts` may import this file.
 */

/** One bid in solver form: item indices, amount, bidder index. */
export interface SearchBid {
  readonly items: ReadonlyArray<number>
  readonly amount: number
  readonly bidder: number
}

/** The solver's input. `itemCount` items numbered 0..itemCount-1. */
export interface SearchProblem {
  readonly itemCount: number
  readonly bidderCount: number
  readonly bids: ReadonlyArray<SearchBid>
}

/** The solver's answer: winning bid indices (ascending), their total, and nodes explored. */
export type SearchResult =
  | { readonly _tag: "Solved"; readonly winners: ReadonlyArray<number>; readonly value: number; readonly nodes: number }
  | { readonly _tag: "Exceeded"; readonly nodes: number }

/**
 * Finds an allocation of maximum total value in which no item is sold twice and each bidder wins
 * at most one bid (XOR bids). Bids of `excludedBidder` are ignored (for VCG). Among optimal
 * allocations it returns the first found in the search order, which is deterministic: items by
 * ascending number of bids, then index; bids by descending amount, then input order.
 */
export const search = (problem: SearchProblem, excludedBidder: number, maxNodes: number): SearchResult => {
  const m = problem.itemCount
  const words = Math.max(1, Math.ceil(m / 32))
  const live: Array<number> = []
  problem.bids.forEach((b, i) => {
    if (b.bidder !== excludedBidder) live.push(i)
  })

  // Items with fewer bids first: small branching factors near the root.
  const degree = new Array<number>(m).fill(0)
  for (const i of live) for (const item of problem.bids[i]!.items) degree[item]!++
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => degree[x]! - degree[y]! || x - y)
  const rank = new Array<number>(m)
  order.forEach((item, r) => (rank[item] = r))

  // Bids best first; each bid goes to the bin of its lowest-ranked item.
  live.sort((x, y) => problem.bids[y]!.amount - problem.bids[x]!.amount || x - y)
  const n = live.length
  const masks = new Int32Array(n * words)
  const amounts = new Float64Array(n)
  const perItem = new Float64Array(n)
  const bidders = new Int32Array(n)
  const bidItems: Array<Array<number>> = []
  const bins: Array<Array<number>> = Array.from({ length: m }, () => [])
  live.forEach((original, k) => {
    const bid = problem.bids[original]!
    const ranks = bid.items.map((item) => rank[item]!).sort((x, y) => x - y)
    for (const r of ranks) masks[k * words + (r >>> 5)]! |= 1 << (r & 31)
    amounts[k] = bid.amount
    perItem[k] = bid.amount / ranks.length
    bidders[k] = bid.bidder
    bidItems.push(ranks)
    bins[ranks[0]!]!.push(k)
  })

  const taken = new Int32Array(words)
  const usedBidder = new Uint8Array(problem.bidderCount + 1)
  const chosen: Array<number> = []
  let best: Array<number> = []
  let bestValue = 0
  let nodes = 0
  let exceeded = false
  const itemBound = new Float64Array(m)

  const compatible = (k: number): boolean => {
    if (usedBidder[bidders[k]!] === 1) return false
    const base = k * words
    for (let w = 0; w < words; w++) if ((masks[base + w]! & taken[w]!) !== 0) return false
    return true
  }
  const isTaken = (r: number): boolean => (taken[r >>> 5]! & (1 << (r & 31))) !== 0

  // Optimistic value of items from `from` on: each free item at the best per-item price of a
  // still-feasible bid covering it (every such bid has its lowest item at or after `from`).
  const bound = (from: number): number => {
    for (let r = from; r < m; r++) itemBound[r] = 0
    for (let r = from; r < m; r++) {
      for (const k of bins[r]!) {
        if (!compatible(k)) continue
        const p = perItem[k]!
        for (const item of bidItems[k]!) if (p > itemBound[item]!) itemBound[item] = p
      }
    }
    let h = 0
    for (let r = from; r < m; r++) if (!isTaken(r)) h += itemBound[r]!
    return h
  }

  const visit = (from: number, value: number): void => {
    if (exceeded) return
    if (++nodes > maxNodes) {
      exceeded = true
      return
    }
    let r = from
    while (r < m && isTaken(r)) r++
    if (value > bestValue) {
      bestValue = value
      best = chosen.slice()
    }
    if (r >= m) return
    const h = bound(r)
    if (value + h < bestValue + 1 - 1e-9 * (1 + h)) return
    for (const k of bins[r]!) {
      if (!compatible(k)) continue
      const base = k * words
      for (let w = 0; w < words; w++) taken[w]! |= masks[base + w]!
      usedBidder[bidders[k]!] = 1
      chosen.push(k)
      visit(r + 1, value + amounts[k]!)
      chosen.pop()
      usedBidder[bidders[k]!] = 0
      for (let w = 0; w < words; w++) taken[w]! &= ~masks[base + w]!
    }
    visit(r + 1, value)
  }
  visit(0, 0)
  if (exceeded) return { _tag: "Exceeded", nodes }
  return { _tag: "Solved", winners: best.map((k) => live[k]!).sort((x, y) => x - y), value: bestValue, nodes }
}
