/**
 * One measurement of the A/B gate, in one Node process: imports the gated bench file from both
 * checkouts and times their cases interleaved, round after round, so both sides share the same
 * machine, the same load and the same minutes. Run by `bench/gate/gate.ts` with a JSON request as
 * its only argument (and `--expose-gc`); prints one `GATE-SAMPLES <json>` line.
 *
 * For each gated group, in the candidate's file order: each side runs the `setup` of every timed
 * group of its own file up to that one (and the `teardown` of the one before), exactly as
 * `bench/run.ts` walks a file, since a group's setup may rely on an earlier one's. Then the
 * group's cases (never its same-run baseline, which is bare Effect code and alike on both sides)
 * are sampled: one major GC (the setups' garbage, e.g. 1,000 agents per side, otherwise lands in
 * the first rounds), `warmupRounds` discarded rounds of `warmupMs` samples (for V8 to optimise),
 * then `rounds` kept ones. In a round every case is sampled once per side, A B on even rounds and
 * B A on odd ones, so neither side always pays for the other's garbage. A sample starts with a
 * minor GC (a major one costs ~30 ms here, more than most samples) and calls the case until
 * `sampleMs` of CPU time have passed; it gives CPU ns per operation.
 *
 * Why CPU time, not wall time: on a shared machine a process waits for a core, and that wait is
 * neither side's code. Measured under a load of 10 on 2 cores, wall-clock samples of one case
 * spread over ×7 and the A/A ratio's 95% interval was [0.69, 1.37]; CPU-time samples spread over
 * ±15% and the interval was [0.89, 1.03]. The process's CPU time (not the main thread's) is used so
 * that work the code causes on V8's GC helper threads counts. What CPU time cannot see is idle
 * waiting (a timer, I/O): the gated cases have none.
 *
 * `MABEAM_BENCH_SLOWDOWN=<f>` (read here only, for the gate's self-test) makes every call of the
 * candidate's cases spin for `f` times its own duration after it returns: a candidate `1 + f`
 * times slower, whatever the case.
 */
import { pathToFileURL } from "node:url"
import { join } from "node:path"
import { type BenchFile, type BenchGroup, isMemoryGroup, type TimeCase, type TimeGroup } from "../lib/types.ts"

/** What `gate.ts` asks of one measurement. */
export interface MeasureRequest {
  /** The bench file, relative to a checkout's root. */
  readonly file: string
  /** The gated groups' names. */
  readonly groups: ReadonlyArray<string>
  readonly base: string
  readonly candidate: string
  /** The side imported and set up first, and sampled first on even rounds. */
  readonly first: "base" | "candidate"
  readonly warmupRounds: number
  readonly warmupMs: number
  readonly rounds: number
  readonly sampleMs: number
}

/** One gated case's samples (ns/op), `base[i]` and `candidate[i]` from round `i`; or why it has none. */
export type CaseSamples =
  | { readonly group: string; readonly name: string; readonly base: Array<number>; readonly candidate: Array<number> }
  | { readonly group: string; readonly name: string; readonly missingIn: "base" | "candidate" }

/** The prefix of the result line. */
export const resultPrefix = "GATE-SAMPLES "

const slowdownFactor = (): number => {
  const raw = process.env["MABEAM_BENCH_SLOWDOWN"]
  if (raw === undefined || raw === "") return 0
  const factor = Number(raw)
  if (!Number.isFinite(factor) || factor < 0)
    throw new Error(`MABEAM_BENCH_SLOWDOWN must be a number ≥ 0, got "${raw}"`)
  return factor
}

/** CPU milliseconds used by this process so far, all threads (JIT and GC helpers included). */
const cpuMs = (): number => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

const spin = (ms: number): void => {
  const end = cpuMs() + ms
  while (cpuMs() < end) {
    // a deliberate busy wait: the injected slowdown
  }
}

const collect = (type: "major" | "minor"): void => {
  const gc = (globalThis as { gc?: (options: { type: "major" | "minor" }) => void }).gc
  if (gc === undefined) throw new Error("the gate measures with --expose-gc")
  gc({ type })
}

const sample = async (item: TimeCase, sampleMs: number, slowdown: number): Promise<number> => {
  collect("minor")
  let calls = 0
  const start = cpuMs()
  let elapsed = 0
  do {
    const before = cpuMs()
    await item.fn()
    if (slowdown > 0) spin((cpuMs() - before) * slowdown)
    calls++
    elapsed = cpuMs() - start
  } while (elapsed < sampleMs)
  return (elapsed * 1e6) / (calls * (item.ops ?? 1))
}

/** Walks one side's file group by group, running setups and teardowns in file order. */
const cursor = (bench: BenchFile) => {
  const groups = bench.groups.filter((group: BenchGroup): group is TimeGroup => !isMemoryGroup(group))
  let next = 0
  let current: TimeGroup | undefined
  return {
    /** Sets up every group up to `name` and returns it, or `undefined` if it is not ahead in the file. */
    advanceTo: async (name: string): Promise<TimeGroup | undefined> => {
      const target = groups.findIndex((group, index) => index >= next && group.group === name)
      if (target < 0) return undefined
      while (next <= target) {
        await current?.teardown?.()
        current = groups[next++]!
        await current.setup?.()
      }
      return current
    },
    close: async (): Promise<void> => {
      await current?.teardown?.()
    }
  }
}

/** Runs the measurement `request` describes and returns every gated case's samples. */
export const measure = async (request: MeasureRequest): Promise<Array<CaseSamples>> => {
  const slowdown = slowdownFactor()
  const order = request.first === "base" ? (["base", "candidate"] as const) : (["candidate", "base"] as const)
  const cursors = {} as Record<"base" | "candidate", ReturnType<typeof cursor>>
  for (const side of order) {
    cursors[side] = cursor(
      ((await import(pathToFileURL(join(request[side], request.file)).href)) as { default: BenchFile }).default
    )
  }
  const out: Array<CaseSamples> = []
  for (const name of request.groups) {
    const groups = { base: undefined as TimeGroup | undefined, candidate: undefined as TimeGroup | undefined }
    for (const side of order) groups[side] = await cursors[side].advanceTo(name)
    if (groups.candidate === undefined || groups.base === undefined) {
      out.push({ group: name, name: "(whole group)", missingIn: groups.candidate === undefined ? "candidate" : "base" })
      continue
    }
    const baseCases = new Map(groups.base.cases.map((item) => [item.name, item]))
    const pairs: Array<{
      name: string
      base: TimeCase
      candidate: TimeCase
      samples: { base: Array<number>; candidate: Array<number> }
    }> = []
    for (const item of groups.candidate.cases) {
      const before = baseCases.get(item.name)
      if (before === undefined) out.push({ group: name, name: item.name, missingIn: "base" })
      else pairs.push({ name: item.name, base: before, candidate: item, samples: { base: [], candidate: [] } })
    }
    for (const item of groups.base.cases) {
      if (!pairs.some((pair) => pair.name === item.name))
        out.push({ group: name, name: item.name, missingIn: "candidate" })
    }
    collect("major")
    for (let round = 0; round < request.warmupRounds + request.rounds; round++) {
      const sides = round % 2 === 0 ? order : ([order[1], order[0]] as const)
      for (const pair of pairs) {
        for (const side of sides) {
          const warmup = round < request.warmupRounds
          const nsPerOp = await sample(
            pair[side],
            warmup ? request.warmupMs : request.sampleMs,
            side === "candidate" ? slowdown : 0
          )
          if (!warmup) pair.samples[side].push(nsPerOp)
        }
      }
    }
    for (const pair of pairs) out.push({ group: name, name: pair.name, ...pair.samples })
  }
  for (const side of order) await cursors[side].close()
  return out
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const samples = await measure(JSON.parse(process.argv[2] ?? "{}") as MeasureRequest)
  process.stdout.write(`${resultPrefix}${JSON.stringify(samples)}\n`, () => process.exit(0))
}
