/**
 * Runs every `bench/*.bench.ts` (or those matching `--filter <text>`), prints each case beside its
 * same-run baseline and writes `bench/results/latest.json`.
 *
 *   npm run bench                      all benchmarks, ~1 s per case
 *   npm run bench -- --filter registry only files or groups whose name contains "registry"
 *   npm run bench -- --time 200        a quicker, noisier run (ms per case)
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { memoryCase, timeCase } from "./lib/measure.ts"
import { formatResult } from "./lib/report.ts"
import { type BenchFile, type BenchResult, isMemoryGroup, type MemoryGroup, type TimeGroup } from "./lib/types.ts"

const here = dirname(fileURLToPath(import.meta.url))
const argument = (flag: string): string | undefined => {
  const index = process.argv.indexOf(flag)
  return index >= 0 ? process.argv[index + 1] : undefined
}
const filter = argument("--filter")
const timeMs = Number(argument("--time") ?? 1000)

const runTimeGroup = async (file: string, group: TimeGroup): Promise<Array<BenchResult>> => {
  await group.setup?.()
  try {
    const base = await timeCase(group.baseline, timeMs)
    const results: Array<BenchResult> = [
      { file, group: group.group, name: group.baseline.name, baseline: true, ...base, ratio: 1 }
    ]
    for (const item of group.cases) {
      const stats = await timeCase(item, timeMs)
      results.push({
        file,
        group: group.group,
        name: item.name,
        baseline: false,
        ...stats,
        ratio: stats.meanNs / base.meanNs
      })
    }
    return results
  } finally {
    await group.teardown?.()
  }
}

const runMemoryGroup = async (file: string, group: MemoryGroup): Promise<Array<BenchResult>> => {
  const { baseline, cases, count } = group.memory
  const base = await memoryCase(baseline, count)
  const results: Array<BenchResult> = [
    { file, group: group.group, name: baseline.name, baseline: true, bytesPerOp: base, ratio: 1 }
  ]
  for (const item of cases) {
    const bytes = await memoryCase(item, count)
    results.push({ file, group: group.group, name: item.name, baseline: false, bytesPerOp: bytes, ratio: bytes / base })
  }
  return results
}

const files = readdirSync(here)
  .filter((name) => name.endsWith(".bench.ts"))
  .sort()
const all: Array<BenchResult> = []
for (const name of files) {
  const bench = ((await import(pathToFileURL(join(here, name)).href)) as { default: BenchFile }).default
  const fileMatches = filter === undefined || name.includes(filter) || bench.name.includes(filter)
  for (const group of bench.groups) {
    if (!fileMatches && !group.group.includes(filter ?? "")) continue
    console.log(`\n${bench.name} · ${group.group}`)
    const results = isMemoryGroup(group)
      ? await runMemoryGroup(bench.name, group)
      : await runTimeGroup(bench.name, group)
    for (const result of results) console.log(formatResult(result))
    all.push(...results)
  }
}

mkdirSync(join(here, "results"), { recursive: true })
const out = join(here, "results", "latest.json")
writeFileSync(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), results: all }, null, 2))
console.log(`\n${all.length} results written to ${out}`)
