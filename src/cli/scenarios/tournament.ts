/**
 * `mabeam run tournament`: the flagship's tournament mode (`npm start -- --mode tournament`) on the
 * CLI's live clock, so `--dashboard` shows the candidate agents being stopped rung after rung and
 * the ledger paying for each rung and settling the prediction markets.
 *
 * `--agents` sets the candidates (default 27, 2 to 64), `--seed` the draws, `--pace MS` slows each
 * trading window.
 *
 * @since 0.2.0
 */
import { Console, Effect, Layer } from "effect"
import { Probe } from "../../dashboard/index.ts"
import { Ledger } from "../../economics/index.ts"
import { loadFlagship } from "./apps.ts"
import type { Scenario } from "./Scenario.ts"

/**
 * The model-selection tournament with prediction markets, as a scenario.
 *
 * @since 0.1.0
 * @category utils
 */
export const tournament: Scenario = {
  name: "tournament",
  description: "successive halving over candidate agents on iris, paid from the ledger, with LMSR prediction markets",
  maxAgents: 64,
  run: (options) =>
    Effect.gen(function* () {
      const { formatRungProgress, formatTournamentReport, formatTournamentStart, runTournament } =
        yield* loadFlagship("run tournament")
      const probe = yield* Probe
      const services = yield* Layer.build(Ledger.Ledger.layer)
      const candidates = options.agents ?? 27
      // The same progress display as `npm start -- --mode tournament`.
      yield* Console.log(formatTournamentStart({ candidates, budget: 400, seed: String(options.seed) }))
      const report = yield* runTournament({
        seed: String(options.seed),
        candidates,
        advance: (millis) => Effect.sleep(millis + options.paceMillis),
        onCandidates: (supervisor) => probe.watchSupervisor(supervisor),
        onLedger: (ledger, accounts) => probe.watchLedger(ledger, accounts),
        onRung: (progress) =>
          Effect.andThen(
            Effect.andThen(
              Console.log(formatRungProgress(progress)),
              probe.setPhase(`rung ${progress.rung}/${progress.rungs}: ${progress.candidates} candidates`)
            ),
            probe.fact("best", `${(progress.best.accuracy * 100).toFixed(1)}% (${progress.best.id})`)
          )
      }).pipe(Effect.provideContext(services))
      return { lines: ["", ...formatTournamentReport(report).split("\n")] }
    })
}
