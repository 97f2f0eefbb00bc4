/**
 * The flagship's claim as a benchmark: the team (auctioned slots among strategists, by default
 * random search and TPE; successive halving; the ensemble) against single-agent random search, same
 * task, same budget in the same unit (training epochs), same data, over many seeds.
 *
 *   node bench/flagship-seeds.bench.ts                      20 seeds, 1500 epochs each, 27 slots a round
 *   node bench/flagship-seeds.bench.ts --seeds 40 --budget 3000 --slots 9 --strategies random,grid,tpe --seed fresh
 *
 * Run directly, it prints each seed, then each contender's mean best validation accuracy with its
 * 95% interval and the paired difference with its interval (about 10 s a seed on one loaded core),
 * and writes `bench/results/flagship-seeds.json`. Under `npm run bench` it only times one small
 * seed of each contender (the team's coordination overhead against random search's bare loop):
 * the scores are a statistics question, not a timing one, and need the direct run.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import {
  compare,
  formatComparison,
  formatSeedHeader,
  formatSeedRow,
  DEFAULT_STRATEGISTS,
  randomSearch,
  spiralsTask,
  STRATEGISTS,
  teamAlone
} from "../apps/flagship/index.ts"
import { defineBench } from "./lib/index.ts"

const here = dirname(fileURLToPath(import.meta.url))
// Small enough to time, large enough that the team trains some configurations in full (it spends 398 of 400 on seed "bench").
const SMALL = 400

export default defineBench("flagship-seeds", [
  {
    group: `one seed at ${SMALL} epochs: the team's overhead against random search's bare loop`,
    baseline: {
      name: "single-agent random search",
      fn: () => Effect.runPromise(randomSearch(spiralsTask, SMALL, "bench"))
    },
    cases: [
      {
        name: "the team (auctions, agents, tournament, ensemble)",
        fn: () => Effect.runPromise(teamAlone({ task: "spirals", budget: SMALL, seed: "bench" }))
      }
    ]
  }
])

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argument = (flag: string, fallback: number): number => {
    const index = process.argv.indexOf(flag)
    const value = index >= 0 ? Number(process.argv[index + 1]) : fallback
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer`)
    return value
  }
  const seeds = argument("--seeds", 20)
  const budget = argument("--budget", 1500)
  const slots = argument("--slots", 27)
  const seedAt = process.argv.indexOf("--seed")
  const seed = seedAt >= 0 ? process.argv[seedAt + 1]! : "mabeam"
  const listed = process.argv.indexOf("--strategies")
  const strategies = (listed >= 0 ? process.argv[listed + 1]! : DEFAULT_STRATEGISTS.join(","))
    .split(",")
    .map((name) => {
      const known = STRATEGISTS.find((strategist) => strategist === name)
      if (known === undefined)
        throw new Error(`--strategies takes names among ${STRATEGISTS.join(", ")}, got "${name}"`)
      return known
    })
  const started = performance.now()
  console.log(
    formatSeedHeader(spiralsTask, budget, seeds).replace(
      "\n",
      `, ${slots} slots a round, strategists ${strategies.join(" ")}\n`
    )
  )
  const comparison = await Effect.runPromise(
    compare({
      task: "spirals",
      seed,
      seeds,
      budget,
      slots,
      strategies,
      onSeed: (row) => Effect.sync(() => console.log(formatSeedRow(row)))
    })
  )
  console.log("")
  console.log(formatComparison(comparison))
  console.log(
    `  wall time ${((performance.now() - started) / 1000).toFixed(0)} s (a shared, loaded machine: the timing is noisy, the scores are exact for the seeds)`
  )
  mkdirSync(join(here, "results"), { recursive: true })
  writeFileSync(
    join(here, "results", "flagship-seeds.json"),
    JSON.stringify({ slots, strategies, ...comparison }, null, 2)
  )
}
