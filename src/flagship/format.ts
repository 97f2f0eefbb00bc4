/** The flagship's printed summary. */
import type { TuningReport } from "./tuning.ts"

const percent = (accuracy: number) => `${(accuracy * 100).toFixed(1)}%`

/** A readable, multi-line summary of a tuning run. */
export const formatReport = (report: TuningReport): string => {
  const lines = [
    `mabeam flagship: ${report.trials} trials tuning an MLP on the two-spirals data (seed "${report.seed}", ${report.simulatedMillis} ms simulated)`,
    report.best === undefined
      ? "  no trial finished"
      : `  best validation accuracy ${percent(report.best.accuracy)}, found by ${report.best.strategy} in trial ${report.best.trial}`,
    `  best over time: ${report.improvements.map((step) => `#${step.trial} ${percent(step.accuracy)} (${step.strategy})`).join(" → ")}`,
    "  strategies (slots won in auctions, credits spent / left, new bests):",
    ...report.strategies.map((row) =>
      `    ${row.name.padEnd(8)} won ${String(row.won).padStart(2)}  spent ${String(row.spent).padStart(4)}  left ${String(row.left).padStart(4)}  bests ${row.bests}`
    ),
    `  chaos: ${report.crashes} workers killed mid-training, ${report.recoveries} trials recovered on another worker, ${report.restarts} restarts by the supervisor`,
    `  ledger: ${report.moneyConserved ? "money conserved, no escrow left" : "MONEY NOT CONSERVED"}`
  ]
  return lines.join("\n")
}
