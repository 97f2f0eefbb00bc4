/**
 * What the A/B gate measures and how hard, and the environment variables that change it.
 *
 *   MABEAM_BENCH_BASE=<rev>         the base commit (default `HEAD^`, the first parent: on main the
 *                                   previous commit; for a branch use `$(git merge-base origin/main HEAD)`)
 *   MABEAM_BENCH_CANDIDATE=<rev>    the candidate (default `HEAD`; `worktree` takes the working tree
 *                                   as it is, uncommitted changes included)
 *   MABEAM_BENCH_TOLERANCE=<f>      how much slower, at best, counts as a regression (default 0.25)
 *   MABEAM_BENCH_ROUNDS=<n>         interleaved rounds kept per measurement (default 12, at least 6)
 *   MABEAM_BENCH_SLOWDOWN=<f>       the self-test's injected slowdown of the candidate (see measure.ts)
 *   MABEAM_BENCH_SELFTEST_RUNS=<n>  the self-test's A/A runs (default 20, see selftest.ts)
 */

/** The gated bench file, relative to a checkout's root. */
export const gatedFile = "bench/agents.bench.ts"

/** The gated groups of `gatedFile`: the tell and ask paths (spawn and memory are not gated). */
export const gatedGroups: ReadonlyArray<string> = [
  "tell, one producer to one agent",
  "tell, one producer to 1k agents",
  "ask round trip"
]

/** How one measurement samples; see `measure.ts`. */
export interface Effort {
  readonly warmupRounds: number
  /** CPU milliseconds per warm-up sample: long enough for V8 to optimise the case's code. */
  readonly warmupMs: number
  readonly rounds: number
  readonly sampleMs: number
}

/** The gate's settings, read from the environment; throws on a malformed value. */
export interface GateSettings {
  readonly base: string
  /** A revision, or `worktree`. */
  readonly candidate: string
  /** True when the base was not given (a missing `HEAD^` then skips the gate instead of failing). */
  readonly defaultBase: boolean
  readonly tolerance: number
  readonly effort: Effort
}

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (value: number) => boolean): number => {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!valid(value)) throw new Error(`${name}="${raw}" is not valid`)
  return value
}

/** Reads the settings from `env` (the process's by default). */
export const settingsFrom = (env: NodeJS.ProcessEnv = process.env): GateSettings => {
  const base = env["MABEAM_BENCH_BASE"]
  return {
    base: base === undefined || base === "" ? "HEAD^" : base,
    candidate: env["MABEAM_BENCH_CANDIDATE"] || "HEAD",
    defaultBase: base === undefined || base === "",
    tolerance: number(env, "MABEAM_BENCH_TOLERANCE", 0.25, (value) => value >= 0 && value < 10),
    effort: {
      warmupRounds: 2,
      warmupMs: 60,
      rounds: number(env, "MABEAM_BENCH_ROUNDS", 12, (value) => Number.isInteger(value) && value >= 6 && value <= 1000),
      sampleMs: 10
    }
  }
}
