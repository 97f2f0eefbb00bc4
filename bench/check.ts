/**
 * Compares `bench/results/latest.json` with the committed `bench/baseline.json`.
 *
 * It compares ratios (a case's cost over its same-run baseline), not raw times, so a slower or
 * busier machine does not read as a regression. A case regresses when its ratio grows by more
 * than the tolerance (default 30%, `--tolerance 0.5` for 50%). Exits 1 on any regression.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { BenchResult } from "./lib/types.ts"

const here = dirname(fileURLToPath(import.meta.url))
const index = process.argv.indexOf("--tolerance")
const tolerance = index >= 0 ? Number(process.argv[index + 1]) : 0.3

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

let regressions = 0
let compared = 0
for (const result of latest) {
  const before = baseline.get(key(result))
  if (result.baseline || before === undefined) continue
  compared++
  const limit = before.ratio * (1 + tolerance)
  if (result.ratio > limit) {
    regressions++
    console.log(`REGRESSION ${key(result)}: x${result.ratio.toFixed(2)} > x${before.ratio.toFixed(2)} +${tolerance * 100}%`)
  }
}
console.log(`${compared} cases compared with bench/baseline.json, ${regressions} regressions (tolerance ${tolerance * 100}%)`)
process.exit(regressions > 0 ? 1 : 0)
