/**
 * The flagship's progress lines, the same wherever it runs (`npm start`, `mabeam run flagship`,
 * `mabeam run tournament`): a bar, the round (or rung), and the best score so far.
 *
 * @since 0.2.0
 */
import type { RungProgress } from "./tournament.ts"
import type { RoundProgress } from "./tuning.ts"

const bar = (done: number, total: number) => "█".repeat(done) + "░".repeat(Math.max(0, total - done))
const percent = (accuracy: number) => `${(accuracy * 100).toFixed(1)}%`

/** The line printed when a tuning team starts. */
export const formatTuningStart = (options: {
  readonly workers: number
  readonly budget: number
  readonly seed: string
}): string =>
  `mabeam flagship: ${options.workers} worker agents, 3 strategist agents bidding ${options.budget} credits each, seed "${options.seed}"`

/** One line per finished round of the tuning team. */
export const formatRoundProgress = (progress: RoundProgress): string =>
  `  ${bar(progress.round, progress.rounds)} round ${progress.round}/${progress.rounds}: ${progress.trials} trials, best ${
    progress.best === undefined ? "-" : `${percent(progress.best)} (${progress.strategy})`
  }`

/** The line printed when a tournament starts. */
export const formatTournamentStart = (options: {
  readonly candidates: number
  readonly budget: number
  readonly seed: string
}): string =>
  `mabeam flagship: ${options.candidates} candidate agents in a tournament, ${options.budget} credits for training, seed "${options.seed}"`

/** One line per finished rung of the tournament. */
export const formatRungProgress = (progress: RungProgress): string =>
  `  ${bar(progress.rung, progress.rungs)} rung ${progress.rung}/${progress.rungs}: ${progress.candidates} candidates on ${Math.round(
    progress.fraction * 100
  )}% of the data, best ${percent(progress.best.accuracy)} (${progress.best.id})`
