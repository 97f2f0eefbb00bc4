/** The flagship's printed summary. */
import type { TuningReport } from "./tuning.ts"

const percent = (accuracy: number | undefined) =>
  accuracy === undefined ? "   -  " : `${(accuracy * 100).toFixed(1)}%`

/** A readable summary of a tuning run: a table per strategy, the ensemble, the baseline. */
export const formatReport = (report: TuningReport): string => {
  const team = Math.max(report.best?.accuracy ?? 0, report.ensemble.accuracy)
  const difference = (team - report.baseline.accuracy) * 100
  const verdict =
    Math.abs(difference) < 0.05
      ? "the team and single-agent random search tie"
      : difference > 0
        ? `the team wins by ${difference.toFixed(1)} points`
        : `single-agent random search wins by ${(-difference).toFixed(1)} points`
  const lines = [
    `mabeam flagship: ${report.trials} cross-validated trials of mljs models on the iris data (seed "${report.seed}", ${report.clockMillis} ms on the clock)`,
    report.best === undefined
      ? "  no trial finished"
      : `  best single model ${percent(report.best.accuracy)}, found by ${report.best.strategy} in trial ${report.best.trial}`,
    `  best over time: ${report.improvements.map((step) => `#${step.trial} ${percent(step.accuracy)} (${step.strategy})`).join(" → ")}`,
    "",
    "  strategy   slots won   credits spent   left   best score   new bests",
    ...report.strategies.map(
      (row) =>
        `  ${row.name.padEnd(10)} ${String(row.won).padStart(9)} ${String(row.spent).padStart(15)} ${String(row.left).padStart(6)} ${percent(row.best).padStart(12)} ${String(row.bests).padStart(11)}`
    ),
    "",
    `  final ensemble (majority vote of ${report.ensemble.members.length}): ${percent(report.ensemble.accuracy)} — ${report.ensemble.members.join(", ")}`,
    `  single-agent random search, ${report.baseline.evaluations} evaluations, same seed: ${percent(report.baseline.accuracy)} → ${verdict}`,
    report.revivedBy === undefined
      ? `  chaos: ${report.crashes} workers killed mid-evaluation, ${report.recoveries} trials recovered on another worker, ${report.restarts} restarts by the supervisor${
          report.restarts < report.crashes ? ` (${report.crashes - report.restarts} still restarting)` : ""
        }`
      : `  chaos: ${report.crashes} workers killed mid-evaluation, ${report.recoveries} trials recovered on another worker, killed workers brought back by ${report.revivedBy}`,
    `  ledger: ${report.moneyConserved ? "money conserved, no escrow left" : "MONEY NOT CONSERVED"}`
  ]
  return lines.join("\n")
}
