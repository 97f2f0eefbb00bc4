/**
 * `npm run bench:gate`: the A/B benchmark regression gate CI runs after the tests.
 *
 * It unpacks the base (`MABEAM_BENCH_BASE`, default `HEAD^`) and the candidate
 * (`MABEAM_BENCH_CANDIDATE`, default `HEAD`) from git into a temporary directory, measures the
 * gated agents benchmarks of both in one process, interleaved, and applies the rule of `gate.ts`.
 * Exits 0 when nothing regressed (or when there is no base: a repository with a single commit, or a
 * shallow clone, is skipped with a message), 1 on a regression, 2 when the gate itself could not
 * run (a bad revision, a failing benchmark). Settings: `config.ts`.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { type Checkout, materialise, resolveRevision } from "./checkout.ts"
import { gatedFile, settingsFrom } from "./config.ts"
import { runGate, type Side } from "./gate.ts"

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")

const main = (): number => {
  const settings = settingsFrom()
  const base = resolveRevision(repo, settings.base)
  if (base === undefined) {
    if (!settings.defaultBase) {
      console.log(`gate: MABEAM_BENCH_BASE=${settings.base} is not a commit of this repository`)
      return 2
    }
    console.log(
      "gate: skipped, HEAD has no parent here (a single-commit or shallow clone); set MABEAM_BENCH_BASE=<rev> to compare with one"
    )
    return 0
  }
  const worktree = settings.candidate === "worktree"
  const head = resolveRevision(repo, worktree ? "HEAD" : settings.candidate)
  if (head === undefined) {
    console.log(`gate: MABEAM_BENCH_CANDIDATE=${settings.candidate} is not a commit of this repository`)
    return 2
  }
  const temp = mkdtempSync(join(tmpdir(), "mabeam-gate-"))
  const checkouts: Array<Checkout> = []
  try {
    const baseCheckout = materialise(repo, base, join(temp, "base"))
    checkouts.push(baseCheckout)
    const candidateCheckout = worktree ? undefined : materialise(repo, head, join(temp, "candidate"))
    if (candidateCheckout !== undefined) checkouts.push(candidateCheckout)
    if (!existsSync(join(baseCheckout.dir, gatedFile))) {
      console.log(`gate: skipped, the base ${base.short} has no ${gatedFile}`)
      return 0
    }
    const baseSide: Side = { dir: baseCheckout.dir, label: base.short, rev: base.short }
    const candidateSide: Side =
      candidateCheckout === undefined
        ? { dir: repo, label: `${head.short}+worktree`, rev: "worktree" }
        : { dir: candidateCheckout.dir, label: head.short, rev: head.short }
    const slowdown = process.env["MABEAM_BENCH_SLOWDOWN"]
    console.log(
      `gate: ${gatedFile}, base ${base.short} (${settings.base}) vs candidate ${candidateSide.label} (${settings.candidate}): ` +
        `CPU time per operation, median of ${settings.effort.rounds} interleaved rounds [95% interval]; tolerance ${settings.tolerance * 100}%` +
        (slowdown ? `; MABEAM_BENCH_SLOWDOWN=${slowdown}: the candidate is slowed on purpose` : "")
    )
    console.log(
      `gate: checkouts in ${checkouts.map((item) => `${(item.costMs / 1000).toFixed(1)} s (node_modules ${item.dependencies})`).join(" and ")}`
    )
    const outcome = runGate(baseSide, candidateSide, { tolerance: settings.tolerance, effort: settings.effort })
    const compared = outcome.cases.filter((item) => "regression" in item).length
    console.log(
      `gate: ${compared} cases compared, ${outcome.regressions} regressions, ${outcome.measurements} measurement(s) in ${outcome.seconds.toFixed(1)} s`
    )
    return outcome.regressions > 0 ? 1 : 0
  } finally {
    // rmSync unlinks a symlinked node_modules without following it.
    rmSync(temp, { recursive: true, force: true })
  }
}

let code: number
try {
  code = main()
} catch (error) {
  console.log(`gate: could not run: ${error instanceof Error ? error.message : String(error)}`)
  code = 2
}
process.exit(code)
