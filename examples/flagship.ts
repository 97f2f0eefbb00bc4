/**
 * `npm start`: the flagship. A team of agents tunes mljs models on the iris data, in simulated time.
 *
 *   npm start                                    seed "mabeam", 3 workers, 400 credits per strategist
 *   npm start -- --seed 7 --agents 6 --budget 200
 *   npm start -- --mode tournament               27 candidate agents in a successive-halving
 *                                                tournament, with prediction markets on the outcome
 *   npm start -- --mode tournament --agents 9 --budget 100
 *
 * `--mode` is `default` or `tournament`; in tournament mode `--agents` is the number of candidates
 * (2 to 64) and `--budget` the sponsor's credits. With `OTEL_EXPORTER_OTLP_ENDPOINT` set, the
 * run's spans and metrics go to that collector.
 */
import type { Effect as EffectType, Layer as LayerType, Scope } from "effect"
// Only the light mode parser is loaded before the flags are checked, so a bad flag fails at once.
import { parseMode } from "../apps/flagship/mode.ts"

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
const seed = flag("--seed") ?? "mabeam"
const agentCount = positive("--agents", mode === "tournament" ? 27 : 3)
const budget = positive("--budget", 400)
if (mode === "tournament" && (agentCount < 2 || agentCount > 64)) fail(`--agents must be between 2 and 64 in tournament mode, got ${agentCount}`)

const { Effect, Layer } = await import("effect")
const { AuctionHouse, Ledger } = await import("../src/economics/index.ts")
const { formatReport, formatRoundProgress, formatRungProgress, formatTournamentReport, formatTournamentStart, formatTuningStart, runTournament, runTuning } =
  await import("../apps/flagship/index.ts")
const { MabeamTest } = await import("../src/runtime/index.ts")
const { Orchestrator } = await import("../src/variables/index.ts")

const services = Layer.mergeAll(
  AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)),
  Orchestrator.layer
).pipe(Layer.provideMerge(MabeamTest.layer({ seed })))

const started = performance.now()

const tuning = Effect.suspend(() => {
  console.log(formatTuningStart({ workers: agentCount, budget, seed }))
  return Effect.map(
    runTuning({
      seed,
      workers: agentCount,
      budget,
      onRound: (progress) => Effect.sync(() => console.log(formatRoundProgress(progress)))
    }),
    formatReport
  )
})

const tournament = Effect.suspend(() => {
  console.log(formatTournamentStart({ candidates: agentCount, budget, seed }))
  return Effect.map(
    runTournament({
      seed,
      candidates: agentCount,
      budget,
      onRung: (progress) => Effect.sync(() => console.log(formatRungProgress(progress)))
    }),
    formatTournamentReport
  )
})

const program: EffectType.Effect<string, unknown, LayerType.Success<typeof services> | Scope.Scope> = mode === "tournament" ? tournament : tuning
Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(services))).then(
  (summary) => {
    console.log("")
    console.log(summary)
    console.log(`  wall time ${((performance.now() - started) / 1000).toFixed(1)} s; every agent stopped with the scope`)
  },
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
