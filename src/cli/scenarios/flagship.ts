/**
 * The flagship as a CLI scenario: agents tune mljs models, with auctions, budgets and chaos.
 *
 * It runs on the CLI's own mabeam instance and live clock, so `mabeam run flagship --dashboard`
 * shows its strategists, workers, restarts and ledger while they work. (`npm start` runs the same
 * team in simulated time instead, where the same seed prints the same run.)
 *
 * @since 0.1.0
 */
import { Console, Context, Effect, Layer } from "effect"
import { Probe } from "../../dashboard/index.ts"
import { AuctionHouse, Ledger } from "../../economics/index.ts"
import { loadFlagship } from "./apps.ts"
import { Orchestrator } from "../../variables/index.ts"
import type { Scenario } from "./Scenario.ts"

/**
 * `mabeam run flagship --seed N [--agents workers] [--rounds N]`. The CLI's default of one round
 * is too short to tune anything, so without `--rounds` (or with 1) it runs 8 rounds; at most 50.
 *
 * @since 0.1.0
 * @category utils
 */
export const flagship: Scenario = {
  name: "flagship",
  description: "a team of agents tunes mljs models on the iris data (auctions, budgets, chaos)",
  maxAgents: 16,
  run: (options) =>
    Effect.gen(function* () {
      const { formatReport, formatRoundProgress, formatTuningStart, runTuning } = yield* loadFlagship("run flagship")
      const probe = yield* Probe
      const services = yield* Layer.build(
        Layer.mergeAll(
          AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer)),
          Orchestrator.layer
        )
      )
      yield* probe.watchAuctions(Context.get(services, AuctionHouse.AuctionHouse))
      const rounds = options.rounds > 1 ? Math.min(options.rounds, 50) : 8
      const workers = options.agents ?? 3
      // The same progress display as `npm start`: a line as the run starts and one per round.
      yield* Console.log(formatTuningStart({ workers, budget: 400, seed: String(options.seed) }))
      const report = yield* runTuning({
        seed: String(options.seed),
        workers,
        rounds,
        advance: (millis) => Effect.sleep(millis + options.paceMillis),
        onWorkers: (supervisor) => probe.watchSupervisor(supervisor),
        onLedger: (ledger, accounts) => probe.watchLedger(ledger, accounts),
        onRound: (progress) =>
          Effect.andThen(
            Effect.andThen(
              Console.log(formatRoundProgress(progress)),
              probe.setPhase(`round ${progress.round}/${progress.rounds}`)
            ),
            probe.fact(
              "best",
              progress.best === undefined ? "-" : `${(progress.best * 100).toFixed(1)}% (${progress.strategy})`
            )
          )
      }).pipe(Effect.provideContext(services))
      return { lines: ["", ...formatReport(report).split("\n")] }
    })
}
