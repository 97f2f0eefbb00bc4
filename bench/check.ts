/**
 * The regression gate: compares `bench/results/latest.json` with the committed `bench/baseline.json`.
 *
 * The rule. A case is compared through its ratio to the baseline measured in the same run, never
 * through absolute times, so a slower or busier machine does not read as a regression. For timed
 * cases the ratio is taken at its most favourable end of the 95% confidence intervals
 * ((mean − ci) / (baseline mean + ci)); a case regresses only when even that optimistic ratio
 * exceeds the committed ratio by more than the tolerance (default 50%, `--tolerance 0.3` for 30%).
 * Memory cases (bytes per item) have no interval and use the tolerance alone. Exits 1 on any
 * regression, 2 when a file is missing.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { BenchResult } from "./lib/types.ts"

const here = dirname(fileURLToPath(import.meta.url))
const index = process.argv.indexOf("--tolerance")
const tolerance = index >= 0 ? Number(process.argv[index + 1]) : 0.5

const load = (path: string): Array<BenchResult> => {
  if (!existsSync(path)) {
    console.error(`${path} is missing: run \`npm run bench\` first`)
    process.exit(2)
  }
  return (JSON.parse(readFileSync(path, "utf8")) as { results: Array<BenchResult> }).results
}

const key = (result: BenchResult) => `${result.file} · ${result.group} · ${result.name}`
const baseline = new Map(load(join(here, "baseline.json")).map((result) => [key(result), result]))
const latest = load(join(here, "results", "latest.json"))
const groupBaselines = (results: ReadonlyArray<BenchResult>) =>
  new Map(results.filter((result) => result.baseline).map((result) => [`${result.file} · ${result.group}`, result]))
const sameRunBaseline = groupBaselines(latest)
const committedBaseline = groupBaselines([...baseline.values()])

/**
 * A committed case's ratio. Ratios read back from a printed report can be rounded to 0; those are
 * recomputed from the means.
 */
const committedRatio = (result: BenchResult): number => {
  if (result.ratio >= 0.01) return result.ratio
  const base = committedBaseline.get(`${result.file} · ${result.group}`)
  return result.meanNs !== undefined && base?.meanNs !== undefined && base.meanNs > 0 ? result.meanNs / base.meanNs : result.ratio
}

/** The most favourable ratio the confidence intervals allow (the plain ratio for memory cases). */
const optimisticRatio = (result: BenchResult): number => {
  const base = sameRunBaseline.get(`${result.file} · ${result.group}`)
  if (result.meanNs === undefined || base?.meanNs === undefined) return result.ratio
  const low = Math.max(0, result.meanNs - (result.ci95Ns ?? 0))
  const high = base.meanNs + (base.ci95Ns ?? 0)
  return high > 0 ? low / high : result.ratio
}

let regressions = 0
let compared = 0
for (const result of latest) {
  const before = baseline.get(key(result))
  if (result.baseline || before === undefined) continue
  compared++
  const ratio = optimisticRatio(result)
  const allowed = committedRatio(before) * (1 + tolerance)
  if (ratio > allowed) {
    regressions++
    console.log(`REGRESSION ${key(result)}: x${result.ratio.toFixed(3)} (at best x${ratio.toFixed(3)}) > x${committedRatio(before).toFixed(3)} +${tolerance * 100}%`)
  }
}
console.log(`${compared} cases compared with bench/baseline.json, ${regressions} regressions (tolerance ${tolerance * 100}%)`)
process.exit(regressions > 0 ? 1 : 0)
