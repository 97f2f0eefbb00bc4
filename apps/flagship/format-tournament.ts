/**
 * The printed summary of the flagship's tournament mode: the rungs, the winner against random
 * search at the same budget, the prediction markets and the traders, and the ledger check.
 *
 * @since 0.1.0
 */
import { LIQUIDITY, PAYOUT } from "./market.ts"
import type { TournamentReport } from "./tournament.ts"

const percent = (x: number) => `${(x * 100).toFixed(1)}%`
const share = (x: number) => `${Math.round(x * 100)}%`
const signed = (x: bigint) => (x > 0n ? `+${x}` : `${x}`)

/** The verdict of the tournament against random search, in words. */
const verdict = (report: TournamentReport): string => {
  const points = Math.abs(report.winner.accuracy - report.baseline.accuracy) * 100
  return report.versus === "tie"
    ? "the tournament and single-agent random search tie"
    : report.versus === "tournament"
      ? `the tournament wins by ${points.toFixed(1)} points`
      : `single-agent random search wins by ${points.toFixed(1)} points`
}

/** A readable summary of a tournament-mode run. */
export const formatTournamentReport = (report: TournamentReport): string => {
  const idWidth = Math.max(...report.rungs.map((rung) => rung.best.id.length))
  const configWidth = Math.max(...report.rungs.map((rung) => rung.best.config.length))
  const rungRow = (cells: readonly [string, string, string, string, string, string]) =>
    `  ${cells[0].padStart(4)} ${cells[1].padStart(14)} ${cells[2].padStart(11)} ${cells[3].padStart(8)}   ${cells[4].padEnd(
      7 + idWidth + 1 + configWidth
    )} ${cells[5].padStart(10)}`
  const rungs = report.rungs.map((rung) =>
    rungRow([
      String(rung.rung + 1),
      share(rung.fraction),
      String(rung.candidates),
      String(rung.cost),
      `${percent(rung.best.accuracy).padStart(6)} ${rung.best.id.padEnd(idWidth)} ${rung.best.config}`,
      String(rung.survivors.length)
    ])
  )
  const questionWidth = Math.max(8, ...report.markets.map((market) => market.question.length))
  const priceText = report.markets.map((market) =>
    market.outcomes.map((outcome, i) => `${outcome} ${share(market.prices[i] ?? 0)}`).join(" · ")
  )
  const priceWidth = Math.max(12, ...priceText.map((text) => text.length))
  const markets = report.markets.map((market, i) => {
    const paid = market.payouts.reduce((sum, payout) => sum + payout.amount, 0n)
    return `  ${market.question.padEnd(questionWidth)}  ${priceText[i]!.padEnd(priceWidth)}  ${market.outcome.padEnd(13)} ${String(paid).padStart(5)}   ${String(
      market.makerLoss
    ).padStart(5)} ≤ ${market.lossBound.toFixed(0)}`
  })
  const winner = report.winner
  return [
    `mabeam flagship, tournament mode: ${report.candidates} candidate agents, successive halving (eta ${report.eta}) on the iris data (seed "${report.seed}", ${report.clockMillis} ms on the clock)`,
    "",
    rungRow(["rung", "training data", "candidates", "credits", "best of the rung", "survivors"]),
    ...rungs,
    ...(report.exhausted
      ? [
          `  (the sponsor could not pay rung ${report.rungs.length + 1} of ${report.plannedRungs}: the tournament stopped there)`
        ]
      : []),
    `  winner ${winner.id} ${winner.config}: ${percent(winner.accuracy)} (5-fold cross-validation on ${share(winner.fraction)} of the training data), after ${report.rungs.length} rungs`,
    `  budget: ${report.spent} of ${report.budget} credits paid from the ledger = ${report.evaluations.toFixed(1)} full evaluations for ${report.candidates} configurations; ${report.stopped} losers stopped by their supervisor`,
    `  single-agent random search, ${report.baseline.evaluations} evaluations, same seed: ${percent(report.baseline.accuracy)} → ${verdict(report)}`,
    "",
    `  prediction markets (LMSR, b = ${LIQUIDITY} shares, a winning share pays ${PAYOUT} credits)`,
    `  ${"question".padEnd(questionWidth)}  ${"final prices".padEnd(priceWidth)}  ${"outcome".padEnd(13)} ${"paid".padStart(5)}   maker loss ≤ b·ln n`,
    ...markets,
    `  traders: ${report.traders.map((trader) => `${trader.name} ${trader.fills} orders, ${signed(trader.profit)}`).join("; ")}`,
    `  ledger: ${
      report.money.conserved
        ? `money conserved (${report.money.before} credits before and after, no escrow left)`
        : `MONEY NOT CONSERVED (${report.money.before} before, ${report.money.after} after)`
    }`
  ].join("\n")
}
