/**
 * Exact winner determination against the HiGHS MIP solver (WASM, `highs` on npm), on the same
 * seeded random instances in one process: bundles of 1–4 distinct items, independent amounts
 * 1–1000, one bidder per bid. Before any timing, both solvers' optimal values are checked equal.
 *
 *   npm run bench -- --filter highs            harness groups (HiGHS is each group's baseline)
 *   node bench/economics-highs.bench.ts sweep  items 6–40 × bids 20–1000, 3 seeds each, the two
 *                                              solvers alternating run by run; prints per-instance
 *                                              time ranges and the same-run ratio range
 */
import loadHighs from "highs"
import { Effect, Random, Result } from "effect"
import { type CombinatorialInput, vcg, winnerDetermination } from "../src/economics/auctions/index.ts"
import { defineBench } from "./lib/index.ts"

/** A seeded random instance: `items` items, `bids` bids on 1–4 distinct items, amounts 1–1000. */
export const instance = (items: number, bids: number, seed: number): CombinatorialInput =>
  Effect.runSync(
    Effect.gen(function* () {
      const names = Array.from({ length: items }, (_, i) => `item-${i}`)
      const out = []
      for (let b = 0; b < bids; b++) {
        const size = Math.min(items, yield* Random.nextIntBetween(1, 4))
        const chosen = new Set<number>()
        while (chosen.size < size) chosen.add(yield* Random.nextIntBetween(0, items - 1))
        const amount = yield* Random.nextIntBetween(1, 1000)
        out.push({ bidder: `b${b}`, items: [...chosen].map((i) => names[i]!), amount: BigInt(amount) })
      }
      return { items: names, bids: out }
    }).pipe(Random.withSeed(seed))
  )

// The MIP in CPLEX LP format: one binary per bid, each item sold at most once, each bidder wins at most one bid.
const toLp = (input: CombinatorialInput): string => {
  const byItem = new Map<string, Array<number>>(input.items.map((item) => [item, []]))
  const byBidder = new Map<string, Array<number>>()
  input.bids.forEach((bid, j) => {
    for (const item of bid.items) byItem.get(item)!.push(j)
    byBidder.set(bid.bidder, [...(byBidder.get(bid.bidder) ?? []), j])
  })
  const rows: Array<string> = []
  for (const [, js] of byItem)
    if (js.length > 1) rows.push(` i${rows.length}: ${js.map((j) => `x${j}`).join(" + ")} <= 1`)
  for (const [, js] of byBidder)
    if (js.length > 1) rows.push(` p${rows.length}: ${js.map((j) => `x${j}`).join(" + ")} <= 1`)
  return [
    "Maximize",
    ` obj: ${input.bids.map((bid, j) => `${bid.amount} x${j}`).join(" + ")}`,
    "Subject To",
    ...(rows.length === 0 ? [" c0: x0 <= 1"] : rows),
    "Binary",
    ` ${input.bids.map((_, j) => `x${j}`).join(" ")}`,
    "End"
  ].join("\n")
}

// `highs` declares its types as CommonJS, but Node loads its ESM build, whose default export is the loader.
const highs = await (loadHighs as unknown as typeof loadHighs.default)()
const highsSolve = (lp: string): number => {
  const result = highs.solve(lp, { output_flag: false, mip_rel_gap: 0, mip_abs_gap: 0 })
  if (result.Status !== "Optimal") throw new Error(`HiGHS: ${result.Status}`)
  return Math.round(result.ObjectiveValue)
}
const ours = (input: CombinatorialInput): number =>
  Number(Result.getOrThrow(winnerDetermination(input, { maxNodes: 100_000_000 })).welfare)

const checkEqual = (name: string, input: CombinatorialInput, lp: string): void => {
  const theirs = highsSolve(lp)
  const mine = ours(input)
  if (theirs !== mine) throw new Error(`${name}: HiGHS found ${theirs}, mabeam ${mine}`)
}

// The harness groups stop at the 30 × 500 target; the sweep goes on to 40 × 1000 for the crossover.
const SIZES: ReadonlyArray<readonly [number, number]> = [
  [6, 20],
  [10, 100],
  [20, 500],
  [30, 400],
  [30, 500]
]

const group = ([items, bids]: readonly [number, number]) => {
  const input = instance(items, bids, items * 1000 + bids)
  const lp = toLp(input)
  const name = `${items} items × ${bids} bids`
  return {
    group: `winner determination vs HiGHS, ${name}`,
    setup: () => checkEqual(name, input, lp),
    baseline: { name: `HiGHS MIP (WASM), ${name}`, fn: () => highsSolve(lp) },
    cases: [
      { name: `mabeam winnerDetermination, ${name}`, fn: () => ours(input) },
      {
        name: `mabeam VCG (winners' exclusions), ${name}`,
        fn: () => Result.getOrThrow(vcg(input, { maxNodes: 100_000_000 }))
      }
    ]
  }
}

export default defineBench("economics-highs", SIZES.map(group))

// Alternating sweep: per instance, `rounds` runs of each solver interleaved; min–max ms of each.
const time = (fn: () => unknown): number => {
  const start = performance.now()
  fn()
  return performance.now() - start
}
const sweep = (): void => {
  const rounds = 5
  console.log(
    "items × bids seed | HiGHS ms (min–max) | mabeam ms (min–max) | mabeam/HiGHS per run (min–median–max) | VCG/WD (min–median–max)"
  )
  for (const [items, bids] of [
    [6, 20],
    [10, 50],
    [10, 200],
    [20, 100],
    [20, 500],
    [25, 500],
    [30, 200],
    [30, 400],
    [30, 500],
    [35, 700],
    [40, 500],
    [40, 1000]
  ] as const) {
    for (const seed of [1, 2, 3]) {
      const input = instance(items, bids, seed * 7919 + items * 1000 + bids)
      const lp = toLp(input)
      checkEqual(`${items}×${bids}#${seed}`, input, lp)
      const h: Array<number> = []
      const m: Array<number> = []
      const v: Array<number> = []
      for (let r = 0; r < rounds; r++) {
        h.push(time(() => highsSolve(lp)))
        m.push(time(() => ours(input)))
        v.push(time(() => Result.getOrThrow(vcg(input, { maxNodes: 100_000_000 }))))
      }
      const ratios = h.map((x, i) => m[i]! / x)
      const vcgRatio = v.map((x, i) => x / m[i]!)
      const range = (xs: ReadonlyArray<number>, digits: number) =>
        `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`
      const spread = (xs: ReadonlyArray<number>, digits: number) => {
        const sorted = [...xs].sort((x, y) => x - y)
        return `${sorted[0]!.toFixed(digits)}–${sorted[sorted.length >> 1]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)}`
      }
      console.log(
        `${items} × ${bids} #${seed} | ${range(h, 2)} | ${range(m, 2)} | ${spread(ratios, 3)} | ${spread(vcgRatio, 2)}`
      )
    }
  }
}
if (process.argv[2] === "sweep") sweep()
