/**
 * `npm run bench:gate:selftest`: shows that the A/B gate catches a slowed candidate and leaves an
 * unchanged one alone. CI runs it after the gate; it exits 1 when either half fails.
 *
 * It unpacks HEAD twice (two checkouts of one commit, so two copies of the code in the measuring
 * process, exactly as for a real comparison), then:
 * 1. runs the gate once with `MABEAM_BENCH_SLOWDOWN=1` (every call of the candidate's cases then
 *    takes twice its time): every gated case must be reported as a regression;
 * 2. runs the gate `MABEAM_BENCH_SELFTEST_RUNS` times (default 20) on the identical pair: no case
 *    may be reported as a regression in any run.
 * It prints the spread of the A/A ratios over the runs: the gate's measured noise.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { materialise, resolveRevision } from "./checkout.ts"
import { settingsFrom } from "./config.ts"
import { type CaseVerdict, runGate, type Side } from "./gate.ts"
import { median } from "./stats.ts"

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")

const compared = (cases: ReadonlyArray<CaseVerdict>) => cases.flatMap((item) => ("regression" in item ? [item] : []))

const spread = (values: ReadonlyArray<number>): string => {
  const sorted = [...values].sort((a, b) => a - b)
  return `min x${sorted[0]!.toFixed(2)} · median x${median(sorted).toFixed(2)} · max x${sorted[sorted.length - 1]!.toFixed(2)}`
}

const main = (): boolean => {
  const settings = settingsFrom()
  const runs = Number(process.env["MABEAM_BENCH_SELFTEST_RUNS"] || 20)
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`MABEAM_BENCH_SELFTEST_RUNS must be a positive integer`)
  const head = resolveRevision(repo, "HEAD")
  if (head === undefined) throw new Error("the repository has no HEAD commit")
  const temp = mkdtempSync(join(tmpdir(), "mabeam-gate-selftest-"))
  const started = performance.now()
  try {
    const side = (name: string): Side => ({
      dir: materialise(repo, head, join(temp, name)).dir,
      label: `${head.short}/${name}`,
      rev: head.short
    })
    const [a, b] = [side("a"), side("b")]
    const options = { tolerance: settings.tolerance, effort: settings.effort }
    let ok = true

    console.log(`selftest 1: candidate slowed twofold (MABEAM_BENCH_SLOWDOWN=1) must regress in every case`)
    const slowed = runGate(a, b, { ...options, env: { ...process.env, MABEAM_BENCH_SLOWDOWN: "1" } })
    const missed = compared(slowed.cases).filter((item) => !item.regression)
    for (const item of missed) console.log(`selftest FAILED: the slowed ${item.group} · ${item.name} was not caught`)
    ok &&= missed.length === 0 && compared(slowed.cases).length > 0
    console.log(
      `selftest 1: ${slowed.regressions} of ${compared(slowed.cases).length} slowed cases caught in ${slowed.seconds.toFixed(1)} s`
    )

    console.log(`selftest 2: ${runs} A/A runs of ${head.short} against itself must flag nothing`)
    const ratios = new Map<string, Array<number>>()
    const atBest: Array<number> = []
    let flagged = 0
    for (let run = 1; run <= runs; run++) {
      const lines: Array<string> = []
      const outcome = runGate(a, b, {
        ...options,
        env: { ...process.env, MABEAM_BENCH_SLOWDOWN: "" },
        log: (line) => lines.push(line)
      })
      const cases = compared(outcome.cases)
      for (const item of cases) {
        const key = `${item.group} · ${item.name}`
        ratios.set(key, [...(ratios.get(key) ?? []), item.comparisons[0]!.ratio.median])
        atBest.push(...item.comparisons.map((comparison) => comparison.atBest))
      }
      console.log(
        `  A/A ${run}/${runs}: ratios ${cases.map((item) => `x${item.comparisons[0]!.ratio.median.toFixed(2)}`).join(" ")}, ` +
          `${outcome.measurements} measurement(s), ${outcome.regressions} regressions, ${outcome.seconds.toFixed(1)} s`
      )
      if (outcome.regressions > 0) {
        flagged++
        for (const line of lines) console.log(`    ${line}`)
      }
    }
    console.log(`selftest 2: the A/A noise, median over rounds of candidate / base, over ${runs} runs:`)
    for (const [key, values] of ratios) console.log(`  ${key}: ${spread(values)}`)
    console.log(`  at best (the rule's figure, threshold x${(1 + settings.tolerance).toFixed(2)}): ${spread(atBest)}`)
    if (flagged > 0) console.log(`selftest FAILED: ${flagged} of ${runs} A/A runs reported a regression`)
    ok &&= flagged === 0
    console.log(`selftest ${ok ? "passed" : "FAILED"} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return ok
  } finally {
    rmSync(temp, { recursive: true, force: true })
  }
}

let code: number
try {
  code = main() ? 0 : 1
} catch (error) {
  console.log(`selftest could not run: ${error instanceof Error ? error.message : String(error)}`)
  code = 1
}
process.exit(code)
