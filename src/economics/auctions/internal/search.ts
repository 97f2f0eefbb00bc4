/**
 * Exact winner determination for combinatorial auctions: depth-first branch and bound over
 * items (the CASS formulation). At each node the lowest-ranked free item is either given to one
 * compatible bid whose lowest item it is, or left unsold.
 *
 * **Bound.** A node is pruned when its value plus an upper bound on what the free items can still
 * fetch cannot beat the best allocation found so far by at least 1. The bound is a feasible
 * solution of the LP dual (item prices `y ≥ 0` with `Σ_{i∈b} y_i ≥ amount_b` for every bid still
 * possible), so `Σ y_i` bounds the LP relaxation and hence every allocation: it starts from each
 * item's best per-item price and is then lowered by coordinate descent (each price cut to the
 * least that keeps every bid covered), which keeps it feasible and only tightens it.
 *
 * **Cache.** When no XOR group has two live bids, the subproblem at a node depends only on the set
 * of items already taken, so an upper bound proved for it (its exact optimum once searched, or
 * "no better than the incumbent allowed" once pruned) is remembered and reused (CASS caching),
 * at most `CACHE_LIMIT` entries (the cache is cleared when full).
 *
 * **Warm start.** A caller may pass a known feasible allocation: it is the first incumbent, so the
 * search only looks for strictly better ones (VCG passes the main allocation minus the excluded
 * bidder's bids); and the cache of a search over every bidder, whose bounds still hold when a
 * bidder is excluded (VCG passes the main search's).
 *
 * Amounts are JavaScript numbers here; the caller guarantees the total of all bids is a safe
 * integer, so every sum of chosen bids is exact. Only the bound uses fractions, and pruning keeps
 * a tolerance so rounding can never cut an optimal branch.
 *
 * Internal: only `combinatorial.ts` may import this file.
 */

/**
 * One bid in solver form: item indices, amount, bidder index (what VCG excludes) and XOR group
 * index (at most one bid of a group wins; a bidder may hold several groups).
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchBid {
  readonly items: ReadonlyArray<number>
  readonly amount: number
  readonly bidder: number
  readonly group: number
}

/**
 * The solver's input. `itemCount` items numbered 0..itemCount-1; groups numbered 0..groupCount-1.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchProblem {
  readonly itemCount: number
  readonly groupCount: number
  readonly bids: ReadonlyArray<SearchBid>
}

/**
 * The solver's answer: winning bid indices (ascending), their total, and nodes explored.
 *
 * @since 0.1.0
 * @category models
 */
export type SearchResult =
  | {
      readonly _tag: "Solved"
      readonly winners: ReadonlyArray<number>
      readonly value: number
      readonly nodes: number
      /** Proved upper bounds of subproblems (see `SearchOptions.inherited`). */
      readonly bounds: ReadonlyMap<number, number>
    }
  | { readonly _tag: "Exceeded"; readonly nodes: number }

/**
 * Warm starts of one search.
 *
 * @since 0.1.0
 * @category models
 */
export interface WarmStart {
  /** A feasible allocation (bid indices) to start from; returned when nothing beats it. */
  readonly initial?: ReadonlyArray<number>
  /**
   * The `bounds` of a search of the same problem with every bidder present: a subproblem's
   * optimum can only fall when bids are excluded, so they stay upper bounds here.
   */
  readonly inherited?: ReadonlyMap<number, number>
}

const CACHE_LIMIT = 1_000_000
const DESCENT_PASSES = 2

/**
 * Finds an allocation of maximum total value in which no item is sold twice and at most one bid
 * of each XOR group wins. Bids of `excludedBidder` are ignored (for VCG). `initial`, if given,
 * is a feasible allocation (bid indices) to start from; it is returned when nothing beats it.
 * Among optimal allocations the result is deterministic: without `initial`, the first found in
 * the search order (items by ascending number of bids, then index; bids by descending amount,
 * then input order).
 *
 * @since 0.1.0
 * @category utils
 */
export const search = (
  problem: SearchProblem,
  excludedBidder: number,
  maxNodes: number,
  warm: WarmStart = {}
): SearchResult => {
  const { inherited, initial } = warm
  const m = problem.itemCount
  const words = Math.max(1, Math.ceil(m / 32))
  const live: Array<number> = []
  problem.bids.forEach((b, i) => {
    if (b.bidder !== excludedBidder) live.push(i)
  })

  // Items with fewer bids first: small branching factors near the root. Counted over every bid,
  // excluded or not, so all of a VCG run's searches share one item order (and cache keys).
  const degree = new Array<number>(m).fill(0)
  for (const bid of problem.bids) for (const item of bid.items) degree[item]!++
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => degree[x]! - degree[y]! || x - y)
  const rank = new Array<number>(m)
  order.forEach((item, r) => (rank[item] = r))

  // Bids best first; each bid goes to the bin of its lowest-ranked item.
  live.sort((x, y) => problem.bids[y]!.amount - problem.bids[x]!.amount || x - y)
  const n = live.length
  const masks = new Int32Array(n * words)
  const amounts = new Float64Array(n)
  const perItem = new Float64Array(n)
  const groups = new Int32Array(n)
  const first = new Int32Array(n)
  const bidItems: Array<Array<number>> = []
  const bins: Array<Array<number>> = Array.from({ length: m }, () => [])
  const byItem: Array<Array<number>> = Array.from({ length: m }, () => [])
  const bidsOf = new Int32Array(problem.groupCount + 1)
  live.forEach((original, k) => {
    const bid = problem.bids[original]!
    const ranks = bid.items.map((item) => rank[item]!).sort((x, y) => x - y)
    for (const r of ranks) {
      masks[k * words + (r >>> 5)]! |= 1 << (r & 31)
      byItem[r]!.push(k)
    }
    amounts[k] = bid.amount
    perItem[k] = bid.amount / ranks.length
    groups[k] = bid.group
    bidsOf[bid.group]!++
    first[k] = ranks[0]!
    bidItems.push(ranks)
    bins[ranks[0]!]!.push(k)
  })
  const cacheable = m <= 52 && bidsOf.every((count) => count <= 1)

  const taken = new Int32Array(words)
  const usedGroup = new Uint8Array(problem.groupCount + 1)
  const chosen: Array<number> = []
  let best: Array<number> = []
  let bestValue = 0
  if (initial !== undefined) {
    const position = new Map(live.map((original, k) => [original, k]))
    best = initial.map((original) => position.get(original)!)
    bestValue = best.reduce((sum, k) => sum + amounts[k]!, 0)
  }
  let nodes = 0
  let exceeded = false
  const price = new Float64Array(m)
  // open[k] === stamp: bid k is still possible at the node being bounded.
  const open = new Int32Array(n)
  let stamp = 0
  // The still-possible bids of each depth's node, in bid order (best first): children filter
  // their parent's list instead of rescanning every bid.
  const lists: Array<Int32Array> = []
  const listAt = (depth: number): Int32Array => (lists[depth] ??= new Int32Array(n))
  const cache = new Map<number, number>()

  const compatible = (k: number): boolean => {
    if (usedGroup[groups[k]!] === 1) return false
    const base = k * words
    for (let w = 0; w < words; w++) if ((masks[base + w]! & taken[w]!) !== 0) return false
    return true
  }
  const isTaken = (r: number): boolean => (taken[r >>> 5]! & (1 << (r & 31))) !== 0

  const freeSum = (from: number): number => {
    let h = 0
    for (let r = from; r < m; r++) if (!isTaken(r)) h += price[r]!
    return h
  }
  // Σ y over the free items from `from` on, for a feasible dual y of the bids still possible
  // (`list[0..count)`, all compatible, lowest item at or after `from`). The descent passes cost
  // as much again as the first bound, so they run only when the first bound does not already
  // prune (`target`: the value the subproblem must beat).
  const bound = (from: number, list: Int32Array, count: number, target: number): number => {
    for (let r = from; r < m; r++) price[r] = 0
    stamp++
    for (let c = 0; c < count; c++) {
      const k = list[c]!
      open[k] = stamp
      const p = perItem[k]!
      for (const item of bidItems[k]!) if (p > price[item]!) price[item] = p
    }
    const simple = freeSum(from)
    if (simple < target) return simple
    for (let pass = 0; pass < DESCENT_PASSES; pass++) {
      for (let r = m - 1; r >= from; r--) {
        if (price[r] === 0) continue
        let need = 0
        for (const k of byItem[r]!) {
          if (open[k] !== stamp) continue
          let rest = amounts[k]!
          for (const item of bidItems[k]!) if (item !== r) rest -= price[item]!
          if (rest > need) need = rest
        }
        price[r] = need
      }
    }
    return freeSum(from)
  }

  // The cache key of the subproblem at item `r`: the taken items, with every item before `r` (all decided) set.
  const keyOf = (r: number): number => {
    const lo = r >= 32 ? 0xffffffff : (taken[0]! | ((1 << r) - 1)) >>> 0
    if (words === 1) return lo
    const hi = r >= 32 ? (taken[1]! | ((1 << (r - 32)) - 1)) >>> 0 : taken[1]! >>> 0
    return hi * 4294967296 + lo
  }

  const visit = (from: number, value: number, depth: number, parent: Int32Array, parentCount: number): void => {
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
    const key = cacheable ? keyOf(r) : -1
    if (cacheable) {
      const known = cache.get(key) ?? inherited?.get(key)
      if (known !== undefined && value + known < bestValue + 1 - 1e-9 * (1 + known)) return
    }
    const list = listAt(depth)
    let count = 0
    for (let c = 0; c < parentCount; c++) {
      const k = parent[c]!
      if (first[k]! >= r && compatible(k)) list[count++] = k
    }
    const h = bound(r, list, count, bestValue + 1 - value - 1e-9 * (1 + bestValue))
    if (value + h < bestValue + 1 - 1e-9 * (1 + h)) {
      if (cacheable) remember(key, h)
      return
    }
    for (let c = 0; c < count; c++) {
      const k = list[c]!
      if (first[k] !== r) continue
      const base = k * words
      for (let w = 0; w < words; w++) taken[w]! |= masks[base + w]!
      usedGroup[groups[k]!] = 1
      chosen.push(k)
      visit(r + 1, value + amounts[k]!, depth + 1, list, count)
      chosen.pop()
      usedGroup[groups[k]!] = 0
      for (let w = 0; w < words; w++) taken[w]! &= ~masks[base + w]!
    }
    visit(r + 1, value, depth + 1, list, count)
    // Searched in full: every completion either became the incumbent or was cut for not beating it.
    if (cacheable && !exceeded) remember(key, bestValue - value)
  }
  const remember = (key: number, upper: number): void => {
    if (cache.size >= CACHE_LIMIT) cache.clear()
    const known = cache.get(key)
    if (known === undefined || upper < known) cache.set(key, upper)
  }
  visit(
    0,
    0,
    1,
    Int32Array.from({ length: n }, (_, k) => k),
    n
  )
  if (exceeded) return { _tag: "Exceeded", nodes }
  return {
    _tag: "Solved",
    winners: best.map((k) => live[k]!).sort((x, y) => x - y),
    value: bestValue,
    nodes,
    bounds: cache
  }
}
