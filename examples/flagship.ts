/**
 * `npm start`: the flagship. A team of agents tunes mljs models on the iris data, in simulated time.
 *
 *   npm start                                    seed "mabeam", 3 workers, 400 credits per strategist
 *   npm start -- --seed 7 --agents 6 --budget 200
 *
 * With `OTEL_EXPORTER_OTLP_ENDPOINT` set, the run's spans and metrics go to that collector.
 */
import { Effect, Layer } from "effect"
import { AuctionHouse, Ledger } from "../src/economics/index.ts"
import { formatReport, runTuning } from "../src/flagship/index.ts"
import { MabeamTest } from "../src/runtime/index.ts"
import { Orchestrator } from "../src/variables/index.ts"

const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(name)
  return index >= 0 ? process.argv[index + 1] : undefined
}
const positive = (name: string, fallback: number): number => {
  const raw = flag(name)
  const value = raw === undefined ? fallback : Number(raw)
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`${name} must be a positive integer, got "${raw}"`)
    process.exit(2)
  }
  return value
}
const seed = flag("--seed") ?? "mabeam"
const workers = positive("--agents", 3)
const budget = positive("--budget", 400)

const services = Layer.mergeAll(
  AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)),
  Orchestrator.layer
).pipe(Layer.provideMerge(MabeamTest.layer({ seed })))

const bar = (done: number, total: number) => "█".repeat(done) + "░".repeat(total - done)
const started = performance.now()
const run = runTuning({
  seed,
  workers,
  budget,
  onRound: (progress) =>
    Effect.sync(() =>
      console.log(
        `  ${bar(progress.round, progress.rounds)} round ${progress.round}/${progress.rounds}: ${progress.trials} trials, best ${
          progress.best === undefined ? "-" : `${(progress.best * 100).toFixed(1)}% (${progress.strategy})`
        }`
      )
    )
})

console.log(`mabeam flagship: ${workers} worker agents, 3 strategist agents bidding ${budget} credits each, seed "${seed}"`)
Effect.runPromise(run.pipe(Effect.scoped, Effect.provide(services))).then(
  (report) => {
    console.log("")
    console.log(formatReport(report))
    console.log(`  wall time ${((performance.now() - started) / 1000).toFixed(1)} s; every agent stopped with the scope`)
  },
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
