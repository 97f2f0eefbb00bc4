/**
 * The A/B regression gate's procedure, given two ready checkouts (see `run.ts` for the command).
 *
 * The rule. Base and candidate are measured in the same Node process, interleaved round by round
 * (`measure.ts`), in CPU time per operation. A case is *slower* in a measurement when the
 * candidate is more than the tolerance (default 25%) slower than the base even at the favourable
 * end of the 95% interval of the per-round ratio candidate / base (`stats.ts` says why this
 * interval and not the two sides' separately). When some case is slower, its groups are measured
 * again in a fresh process with the other side imported, set up and sampled first (new JIT, new
 * heap, opposite order: an advantage of being loaded first or second flips sign). A case is a
 * *regression* only when it is slower in both measurements. No figure from any other run or
 * machine is used.
 */
import { spawnSync } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Effort } from "./config.ts"
import { gatedFile, gatedGroups } from "./config.ts"
import { type CaseSamples, type MeasureRequest, resultPrefix } from "./measure.ts"
import { type Comparison, compare, type Figure, isRegression } from "./stats.ts"

/** One side as the gate needs it: where it is and what to call it. */
export interface Side {
  readonly dir: string
  /** Short commit hash, or `<hash>+worktree`. */
  readonly label: string
  /** How to name it again in a reproduce command (`MABEAM_BENCH_BASE=…`). */
  readonly rev: string
}

/** The gate's verdict on one case. */
export type CaseVerdict =
  | {
      readonly group: string
      readonly name: string
      readonly comparisons: ReadonlyArray<Comparison>
      readonly regression: boolean
    }
  | { readonly group: string; readonly name: string; readonly missingIn: "base" | "candidate" }

/** The outcome of one gate run. */
export interface GateOutcome {
  readonly cases: ReadonlyArray<CaseVerdict>
  readonly regressions: number
  /** How many measuring processes ran: 1, or 2 when something had to be re-measured. */
  readonly measurements: number
  readonly seconds: number
}

/** How to run the gate. */
export interface GateOptions {
  readonly tolerance: number
  readonly effort: Effort
  /** The measuring process's environment (the self-test adds `MABEAM_BENCH_SLOWDOWN` here). */
  readonly env?: NodeJS.ProcessEnv
  readonly log?: (line: string) => void
}

const measureScript = join(dirname(fileURLToPath(import.meta.url)), "measure.ts")

/** Runs one measurement in a fresh Node process and returns its samples; throws if it fails. */
const measureOnce = (request: MeasureRequest, env: NodeJS.ProcessEnv): Array<CaseSamples> => {
  const child = spawnSync(process.execPath, ["--expose-gc", measureScript, JSON.stringify(request)], {
    encoding: "utf8",
    env,
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024
  })
  const line = (child.stdout ?? "").split("\n").find((text) => text.startsWith(resultPrefix))
  if (child.status !== 0 || line === undefined) {
    throw new Error(
      `the measuring process failed (exit ${child.status ?? child.signal}): ${child.error?.message ?? "no result line"}`
    )
  }
  return JSON.parse(line.slice(resultPrefix.length)) as Array<CaseSamples>
}

const ns = (value: number): string => (value >= 1e4 ? `${(value / 1e3).toFixed(1)} µs` : `${value.toFixed(1)} ns`)
const figureText = (figure: Figure, format: (value: number) => string): string =>
  `${format(figure.median)} [${format(figure.interval.low)}, ${format(figure.interval.high)}]`
const ratioText = (value: number): string => `x${value.toFixed(2)}`

/** One line per case and measurement: both figures, both commits, the ratios and the finding. */
export const formatComparison = (base: Side, candidate: Side, comparison: Comparison, tolerance: number): string =>
  [
    `base ${base.label} ${figureText(comparison.base, ns)}`,
    `candidate ${candidate.label} ${figureText(comparison.candidate, ns)}`,
    `ratio ${figureText(comparison.ratio, ratioText)}`,
    `at best ${ratioText(comparison.atBest)} ${comparison.slower ? `> x${(1 + tolerance).toFixed(2)}: SLOWER` : "ok"}`
  ].join(" · ")

const key = (item: { readonly group: string; readonly name: string }) => `${item.group} · ${item.name}`

type Measured = Extract<CaseSamples, { readonly base: Array<number> }>
const isMeasured = (item: CaseSamples): item is Measured => !("missingIn" in item)

/** Compares `candidate` with `base` by the rule of the module doc, logging as it goes. */
export const runGate = (base: Side, candidate: Side, options: GateOptions): GateOutcome => {
  const log = options.log ?? console.log
  const env = options.env ?? process.env
  const started = performance.now()
  const request = (first: "base" | "candidate", groups: ReadonlyArray<string>): MeasureRequest => ({
    file: gatedFile,
    groups,
    base: base.dir,
    candidate: candidate.dir,
    first,
    ...options.effort
  })
  const line = (prefix: string, item: Measured, comparison: Comparison) =>
    log(`  ${prefix}${key(item)}\n      ${formatComparison(base, candidate, comparison, options.tolerance)}`)

  const first = measureOnce(request("base", gatedGroups), env)
  for (const item of first) if (!isMeasured(item)) log(`  ${key(item)}: not in the ${item.missingIn}, not compared`)
  const comparisons = new Map<string, Array<Comparison>>()
  for (const item of first.filter(isMeasured)) {
    const comparison = compare(item.base, item.candidate, options.tolerance)
    comparisons.set(key(item), [comparison])
    line("", item, comparison)
  }
  const slowerGroups = [
    ...new Set(first.filter((item) => comparisons.get(key(item))?.[0]?.slower === true).map((item) => item.group))
  ]
  if (slowerGroups.length > 0) {
    log(
      `gate: slower in a first measurement; measuring ${slowerGroups.length} group(s) again in a new process, candidate first`
    )
    for (const item of measureOnce(request("candidate", slowerGroups), env).filter(isMeasured)) {
      const comparison = compare(item.base, item.candidate, options.tolerance)
      comparisons.get(key(item))?.push(comparison)
      line("again: ", item, comparison)
    }
  }
  const cases: Array<CaseVerdict> = first.map((item) => {
    if (!isMeasured(item)) return item
    const found = comparisons.get(key(item)) ?? []
    return { group: item.group, name: item.name, comparisons: found, regression: isRegression(found) }
  })
  let regressions = 0
  for (const item of cases) {
    if (!("regression" in item) || !item.regression) continue
    regressions++
    const [{ base: before, candidate: after, ratio }] = item.comparisons as [Comparison]
    log(
      `REGRESSION ${key(item)}: candidate ${candidate.label} ${ns(after.median)} against base ${base.label} ${ns(before.median)}, ${ratioText(ratio.median)}; ` +
        `at best ${item.comparisons.map((comparison) => ratioText(comparison.atBest)).join(" and ")} > x${(1 + options.tolerance).toFixed(2)} in both measurements`
    )
  }
  if (regressions > 0)
    log(`reproduce: MABEAM_BENCH_BASE=${base.rev} MABEAM_BENCH_CANDIDATE=${candidate.rev} npm run -s bench:gate`)
  return {
    cases,
    regressions,
    measurements: slowerGroups.length > 0 ? 2 : 1,
    seconds: (performance.now() - started) / 1000
  }
}
