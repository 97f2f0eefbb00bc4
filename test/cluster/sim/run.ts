/**
 * The simulated cluster on demand: many seeds, bigger clusters, more ids than CI runs.
 *
 *   npm run sim:cluster -- --seeds 20 --runners 50 --ids 100000
 *   npm run sim:cluster -- --seed 7 --runners 50 --ids 2000     # one seed
 *   npm run sim:cluster -- --seed 1 --runners 10 --ids 300 --bug locks   # a deliberate bug: must fail
 *
 * Prints one line per seed (churn, replies, typed errors, violations) and runs per second; exits 1
 * if any seed broke an invariant.
 */
import { Effect } from "effect"
import { simulate } from "./simulate.ts"

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`)
  return index >= 0 ? Number(args[index + 1]) : fallback
}
const single = args.includes("--seed")
const from = single ? flag("seed", 1) : flag("from", 1)
const seeds = single ? 1 : flag("seeds", 10)
const runners = flag("runners", 50)
const ids = flag("ids", 100_000)
const churnEvery = flag("churn-every", 1_000)
const bugIndex = args.indexOf("--bug")
const bug =
  bugIndex < 0
    ? undefined
    : args[bugIndex + 1] === "locks"
      ? { _tag: "locks" as const }
      : { _tag: "saves" as const, lossEvery: 7 }

let failed = 0
const started = performance.now()
for (let seed = from; seed < from + seeds; seed++) {
  const t0 = performance.now()
  const report = await Effect.runPromise(simulate({ seed, runners, ids, churnEvery, bug }))
  const ms = Math.round(performance.now() - t0)
  const heap = Math.round(process.memoryUsage().heapUsed / 1e6)
  console.log(
    `seed ${seed}: ${report.ok ? "ok" : "VIOLATED"} in ${ms} ms (heap ${heap} MB) — ${runners} runners (peak ${report.peakRunners}; +${report.joined} joined, ${report.left} left, ${report.killed} killed), ` +
      `${ids} ids, ${report.replies} replies, ${report.activations} activations, errors ${JSON.stringify(report.errors)}, ${report.simulatedMillis} simulated ms`
  )
  for (const v of report.violations) console.log(`  ${v}`)
  if (!report.ok) failed++
}
const seconds = (performance.now() - started) / 1000
console.log(
  `${seeds - failed}/${seeds} seeds ok; ${(seeds / seconds).toFixed(2)} runs/s (${runners} runners, ${ids} ids)`
)
process.exit(failed === 0 ? 0 : 1)
