/**
 * `npm start`: the flagship. A team of agents tunes a real model in simulated time.
 *
 *   npm start                 seed "mabeam"
 *   npm start -- --seed 7     another seed: another, equally reproducible, run
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
const seed = flag("--seed") ?? "mabeam"

const services = Layer.mergeAll(
  AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)),
  Orchestrator.layer
).pipe(Layer.provideMerge(MabeamTest.layer({ seed })))

const started = performance.now()
Effect.runPromise(runTuning({ seed }).pipe(Effect.scoped, Effect.provide(services))).then(
  (report) => {
    console.log(formatReport(report))
    console.log(`  finished in ${((performance.now() - started) / 1000).toFixed(1)} s of real time; every agent stopped with the scope`)
  },
  (error) => {
    console.error(error)
    process.exitCode = 1
  }
)
