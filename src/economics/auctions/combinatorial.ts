/**
 * Combinatorial auction: bids on bundles of items, exact winner determination, VCG payments.
 *
 * **Bid languages.** A bid may carry an `xor` label: the bids of one bidder with the same label
 * are exclusive (at most one wins), bids with different labels combine (several may win). A bid
 * without a label is in the bidder's default group, so:
 * - **XOR** (the default): no labels — the bidder wins at most one of its bids;
 * - **OR**: a distinct label per bid — the bidder may win any compatible set of its bids;
 * - **OR-of-XOR**: labels shared within each alternative — at most one bid per label wins.
 *
 * VCG is per bidder whatever its language: a bidder pays the harm its presence does to the
 * others, once, for everything it wins. Winner determination is exact (branch and bound,
 * see `internal/search.ts`) or fails with `SearchLimitExceeded`; it never returns an
 * approximation.
 *
 * **Limits.** At most 256 items, 10 000 bids, 64 items per bundle, and the sum of all bid amounts
 * must be a safe integer (≤ 2^53 − 1) so the search's arithmetic is exact. The search explores
 * at most `maxNodes` nodes (default 2 000 000, roughly 1–5 s); beyond that it fails with
 * `SearchLimitExceeded`. Measured against the HiGHS MIP solver on the same random instances
 * (bench/economics-highs.bench.ts, bundles of 1–4 items, independent amounts): much faster up to
 * about 20 items × 200 bids, level around 20–30 items × 400 bids, slower beyond (about 5× at
 * 40 × 1000). Amounts correlated with item values (additive valuations) are harder for the bound.
 *
 * **Ties.** Among optimal allocations, the first found in the search order wins: items by
 * ascending number of bids (then name order), bids by descending amount (then input order). The
 * same input always gives the same allocation.
 *
 * @since 0.1.0
 */
import { Result, Schema } from "effect"
import { AccountId, Amount } from "../money.ts"
import { SearchLimitExceeded } from "./AuctionError.ts"
import { search, type SearchProblem, type WarmStart } from "./internal/search.ts"

const ItemId = Schema.String.check(Schema.isBetweenLength(1, 128))

/**
 * A bid on a bundle of items; `xor` names the bidder's group of exclusive bids (see the bid languages above).
 *
 * @since 0.1.0
 * @category schemas
 */
export const BundleBid = Schema.Struct({
  bidder: AccountId,
  items: Schema.Array(ItemId).check(Schema.isBetweenLength(1, 64)),
  amount: Amount,
  xor: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 128)))
})
/**
 * A bid on a bundle of items.
 *
 * @since 0.1.0
 * @category models
 */
export type BundleBid = typeof BundleBid.Type

/**
 * Input of winner determination and VCG: the items on sale and the bundle bids.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CombinatorialInput = Schema.Struct({
  items: Schema.Array(ItemId).check(Schema.isBetweenLength(1, 256)),
  bids: Schema.Array(BundleBid).check(Schema.isMaxLength(10_000))
})
/**
 * Input of winner determination and VCG.
 *
 * @since 0.1.0
 * @category models
 */
export type CombinatorialInput = typeof CombinatorialInput.Type

/**
 * Options of the exact search.
 *
 * @since 0.1.0
 * @category models
 */
export interface SearchOptions {
  /** Give up with `SearchLimitExceeded` after exploring this many nodes. Default 2 000 000. */
  readonly maxNodes?: number
}

/**
 * A welfare-maximising allocation: winning bid indices (into `input.bids`, ascending) and declared welfare.
 *
 * @since 0.1.0
 * @category models
 */
export interface Allocation {
  readonly winners: ReadonlyArray<number>
  readonly welfare: bigint
  readonly nodes: number
}

/**
 * A VCG outcome: the allocation and, for each winning bidder (in order of its first winning bid), its winning bids and payment.
 *
 * @since 0.1.0
 * @category models
 */
export interface VcgOutcome {
  readonly allocation: Allocation
  readonly payments: ReadonlyArray<{
    readonly bidder: string
    readonly bids: ReadonlyArray<number>
    readonly payment: bigint
  }>
}

interface Prepared {
  readonly problem: SearchProblem
  readonly bidderIds: ReadonlyArray<string>
}

const prepare = (input: CombinatorialInput): Result.Result<Prepared, SearchLimitExceeded> => {
  const itemIndex = new Map(input.items.map((item, i) => [item, i]))
  const bidderIndex = new Map<string, number>()
  const groupIndex = new Map<string, number>()
  let total = 0n
  const bids: Array<SearchProblem["bids"][number]> = []
  for (const bid of input.bids) {
    total += bid.amount
    const items = [...new Set(bid.items)].map((item) => itemIndex.get(item))
    // A bid naming an item not on sale can never win; it keeps its index but gets no chance.
    if (items.some((i) => i === undefined)) continue
    let bidder = bidderIndex.get(bid.bidder)
    if (bidder === undefined) bidderIndex.set(bid.bidder, (bidder = bidderIndex.size))
    const label = `${bidder}:${bid.xor ?? ""}`
    let group = groupIndex.get(label)
    if (group === undefined) groupIndex.set(label, (group = groupIndex.size))
    bids.push({ items: items as Array<number>, amount: Number(bid.amount), bidder, group })
  }
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    return Result.fail(
      new SearchLimitExceeded({ limit: "sum of bid amounts", value: Number(total), maximum: Number.MAX_SAFE_INTEGER })
    )
  }
  return Result.succeed({
    problem: { itemCount: input.items.length, groupCount: groupIndex.size, bids },
    bidderIds: [...bidderIndex.keys()]
  })
}

// Maps solver bid indices back to input indices (bids on unknown items were skipped).
const originals = (input: CombinatorialInput): ReadonlyArray<number> => {
  const known = new Set(input.items)
  const out: Array<number> = []
  input.bids.forEach((bid, i) => {
    if (bid.items.every((item) => known.has(item))) out.push(i)
  })
  return out
}

// An allocation and the solver's own winner indices (for warm starts).
interface Solved {
  readonly allocation: Allocation
  readonly solverWinners: ReadonlyArray<number>
  readonly bounds: ReadonlyMap<number, number>
}

const solve = (
  input: CombinatorialInput,
  prepared: Prepared,
  excluded: number,
  options: SearchOptions,
  warm: WarmStart = {}
): Result.Result<Solved, SearchLimitExceeded> => {
  const maxNodes = options.maxNodes ?? 2_000_000
  const result = search(prepared.problem, excluded, maxNodes, warm)
  if (result._tag === "Exceeded") {
    return Result.fail(new SearchLimitExceeded({ limit: "search nodes", value: result.nodes, maximum: maxNodes }))
  }
  const map = originals(input)
  const winners = result.winners.map((k) => map[k]!)
  const welfare = winners.reduce((sum, i) => sum + input.bids[i]!.amount, 0n)
  return Result.succeed({
    allocation: { winners, welfare, nodes: result.nodes },
    solverWinners: result.winners,
    bounds: result.bounds
  })
}

/**
 * Exact winner determination: the allocation of maximum declared welfare.
 *
 * @example
 * ```ts
 * winnerDetermination({ items: ["x", "y"], bids: [
 *   { bidder: "a", items: ["x", "y"], amount: 10n },
 *   { bidder: "b", items: ["x"], amount: 6n }, { bidder: "c", items: ["y"], amount: 6n }] })
 * // Result.succeed({ winners: [1, 2], welfare: 12n, nodes: … })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const winnerDetermination = (
  input: CombinatorialInput,
  options: SearchOptions = {}
): Result.Result<Allocation, SearchLimitExceeded> =>
  Result.flatMap(prepare(input), (prepared) =>
    Result.map(solve(input, prepared, -1, options), (solved) => solved.allocation)
  )

/**
 * VCG: the welfare-maximising allocation, and each winner pays the harm it does to the others —
 * (best welfare without that bidder) − (the others' welfare in the chosen allocation). Losers
 * pay nothing, so only winners' exclusions are solved: one extra exact search per winning
 * bidder (however many bids it wins), each warm-started from the main allocation minus that bidder's bids (already a
 * feasible allocation without it, so the search only has to look for better ones) and from the
 * main search's proved subproblem bounds (still valid with fewer bids).
 *
 * @since 0.1.0
 * @category utils
 */
export const vcg = (
  input: CombinatorialInput,
  options: SearchOptions = {}
): Result.Result<VcgOutcome, SearchLimitExceeded> =>
  Result.flatMap(prepare(input), (prepared) =>
    Result.flatMap(
      solve(input, prepared, -1, options),
      ({ allocation, bounds, solverWinners }): Result.Result<VcgOutcome, SearchLimitExceeded> => {
        const payments: Array<{ bidder: string; bids: Array<number>; payment: bigint }> = []
        const won = new Map<string, Array<number>>()
        for (const bid of allocation.winners)
          won.set(input.bids[bid]!.bidder, [...(won.get(input.bids[bid]!.bidder) ?? []), bid])
        for (const [bidder, bids] of won) {
          const excluded = prepared.bidderIds.indexOf(bidder)
          const others = solverWinners.filter((k) => prepared.problem.bids[k]!.bidder !== excluded)
          const without = solve(input, prepared, excluded, options, { initial: others, inherited: bounds })
          if (Result.isFailure(without)) return Result.fail(without.failure)
          const othersWelfare = bids.reduce((sum, bid) => sum - input.bids[bid]!.amount, allocation.welfare)
          payments.push({ bidder, bids, payment: without.success.allocation.welfare - othersWelfare })
        }
        return Result.succeed({ allocation, payments })
      }
    )
  )
