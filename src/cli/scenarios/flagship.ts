/**
 * The flagship as a CLI scenario: agents tune mljs models, with auctions, budgets and chaos.
 *
 * It runs in simulated time on a mabeam instance of its own (so the same seed prints the same
 * run), and reports the tuning summary.
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { AuctionHouse, Ledger } from "../../economics/index.ts"
import { formatReport, runTuning } from "../../flagship/index.ts"
import { MabeamTest } from "../../runtime/index.ts"
import { Orchestrator } from "../../variables/index.ts"
import type { Scenario } from "./Scenario.ts"

/**
 * `mabeam run flagship --seed N [--agents workers] [--rounds N]`. The CLI's default of one round
 * is too short to tune anything, so without `--rounds` (or with 1) it runs 8 rounds; at most 50.
 */
export const flagship: Scenario = {
  name: "flagship",
  description: "a team of agents tunes mljs models on the iris data (auctions, budgets, chaos; simulated time)",
  maxAgents: 16,
  run: (options) => {
    const seed = String(options.seed)
    const services = Layer.mergeAll(
      AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)),
      Orchestrator.layer
    ).pipe(Layer.provideMerge(MabeamTest.layer({ seed })))
    return runTuning({ seed, workers: options.agents ?? 3, rounds: options.rounds > 1 ? Math.min(options.rounds, 50) : 8 }).pipe(
      Effect.scoped,
      Effect.provide(services),
      Effect.map((report) => ({ lines: formatReport(report).split("\n") }))
    )
  }
}
