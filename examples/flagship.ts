/**
 * `npm start`: the flagship. A team of agents tunes a model against single-agent random search at
 * the same budget, in simulated time.
 *
 *   npm start                                    the MLP on the spirals data, 1500 epochs, seed "mabeam"
 *   npm start -- --seeds 20                      the same comparison on 20 seeds: means, 95% intervals,
 *                                                and the paired difference with its interval
 *   npm start -- --task iris --budget 270        mljs models on iris (9 credits per cross-validation)
 *   npm start -- --seed 7 --agents 9             9 candidate slots auctioned per round (default 27)
 *   npm start -- --mode tournament               27 candidate agents in a successive-halving
 *                                                tournament on iris, with prediction markets
 *   npm start -- --mode tournament --agents 9 --budget 100
 *
 * In the default mode `--budget` is each contender's compute budget in the task's unit and
 * `--agents` the candidate slots per round (2 to 64); in tournament mode `--agents` is the number of
 * candidates (2 to 64) and `--budget` the sponsor's credits. With `OTEL_EXPORTER_OTLP_ENDPOINT`
 * set, the run's spans (`mabeam.flagship.run`, `mabeam.flagship.round`) and metrics go to that
 * collector.
 */
import type { Effect as EffectType, Scope } from "effect"
// Only the light flag parsers are loaded before the flags are checked, so a bad flag fails at once.
import { parseMode, parseTask } from "../apps/flagship/mode.ts"

const fail = (message: string): never => {
  console.error(message)
  process.exit(2)
}
const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(name)
  if (index < 0) return undefined
  const value = process.argv[index + 1]
  return value === undefined || value.startsWith("--") ? fail(`${name} needs a value`) : value
}
const positive = (name: string, fallback: number): number => {
  const raw = flag(name)
  const value = raw === undefined ? fallback : Number(raw)
  return !Number.isSafeInteger(value) || value < 1 ? fail(`${name} must be a positive integer, got "${raw}"`) : value
}
const parsed = parseMode(flag("--mode"))
const mode = parsed._tag === "Invalid" ? fail(parsed.message) : parsed.mode
const parsedTask = parseTask(flag("--task"))
const taskName = parsedTask._tag === "Invalid" ? fail(parsedTask.message) : parsedTask.task
if (mode === "tournament" && taskName !== "iris" && flag("--task") !== undefined)
  fail(`tournament mode runs on iris (its markets bet on the model family); drop --task`)
const seed = flag("--seed") ?? "mabeam"
const seeds = positive("--seeds", 1)
const agentCount = positive("--agents", 27)
const budget = positive("--budget", mode === "tournament" ? 400 : taskName === "iris" ? 270 : 1500)
if (agentCount < 2 || agentCount > 64)
  fail(`--agents must be between 2 and 64${mode === "tournament" ? " in tournament mode" : ""}, got ${agentCount}`)
if (mode === "tournament" && seeds > 1)
  fail("--seeds compares the team with random search: it runs in the default mode")

const { Effect, Layer } = await import("effect")
const { Ledger } = await import("../src/economics/index.ts")
const flagship = await import("../apps/flagship/index.ts")
const { MabeamTest } = await import("../src/runtime/index.ts")

const started = performance.now()
const print = (line: string) => Effect.sync(() => console.log(line))
const task = flagship.taskNamed(taskName, seed)

const single = Effect.suspend(() => {
  console.log(flagship.formatTeamStart(task, budget, seed))
  return Effect.map(
    flagship.duel({
      task: taskName,
      seed,
      budget,
      slots: agentCount,
      onRound: (progress) => print(flagship.formatTeamRound(progress))
    }),
    ({ random, team }) => flagship.formatTeamReport(task, team, random)
  )
})

const multi = Effect.suspend(() => {
  console.log(flagship.formatSeedHeader(task, budget, seeds))
  return Effect.map(
    flagship.compare({
      task: taskName,
      seed,
      seeds,
      budget,
      slots: agentCount,
      onSeed: (row) => print(flagship.formatSeedRow(row))
    }),
    flagship.formatComparison
  )
})

const tournament = Effect.suspend(() => {
  console.log(flagship.formatTournamentStart({ candidates: agentCount, budget, seed }))
  return Effect.map(
    flagship.runTournament({
      seed,
      candidates: agentCount,
      budget,
      onRung: (progress) => print(flagship.formatRungProgress(progress))
    }),
    flagship.formatTournamentReport
  ).pipe(Effect.scoped, Effect.provide(Ledger.Ledger.layer.pipe(Layer.provideMerge(MabeamTest.layer({ seed })))))
})

const program: EffectType.Effect<string, unknown, Scope.Scope> =
  mode === "tournament" ? tournament : seeds > 1 ? multi : single
Effect.runPromise(program.pipe(Effect.scoped)).then(
  (summary) => {
    console.log("")
    console.log(summary)
    console.log(
      `  wall time ${((performance.now() - started) / 1000).toFixed(1)} s; every agent stopped with the scope`
    )
  },
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
