/**
 * The printed output of the team on a budget: progress lines, the one-seed summary (which says how
 * to get the multi-seed comparison) and the multi-seed table with its intervals.
 *
 * @since 0.2.0
 */
import type { Comparison, SeedResult } from "./compare.ts"
import type { RandomSearchResult } from "./random-search.ts"
import type { Interval } from "./stats.ts"
import type { TuningTask } from "./task.ts"
import type { TeamReport, TeamRoundProgress } from "./team.ts"

const percent = (x: number | undefined) => (x === undefined ? "   -  " : `${(x * 100).toFixed(1)}%`)
const points = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)}`
const interval = (i: Interval) => `[${percent(i.low)}, ${percent(i.high)}]`
const pointsInterval = (i: Interval) => `[${points(i.low)}, ${points(i.high)}] points`
const BAR = 20

/** The line printed when a team run starts. */
export const formatTeamStart = (task: TuningTask, budget: number, seed: string, strategists = 2): string =>
  `mabeam flagship: ${strategists} strategist agents bid for candidate slots, successive halving trains them on ${task.title}; ${budget} ${task.unit} of budget, seed "${seed}"`

/** One line per round of the team. */
export const formatTeamRound = (progress: TeamRoundProgress): string => {
  const done = Math.min(BAR, Math.round((progress.spent / progress.budget) * BAR))
  return `  ${"█".repeat(done)}${"░".repeat(BAR - done)} round ${progress.round}: ${progress.candidates} candidates, ${progress.spent}/${progress.budget} spent, best ${
    progress.best === undefined ? "-" : `${percent(progress.best)} (${progress.strategy})`
  }`
}

/** The verdict on one seed, which says that one seed is not evidence and how to get some. */
const oneSeedVerdict = (task: TuningTask, team: number, random: number): string => {
  const difference = team - random
  const said =
    Math.abs(difference) < 0.0005
      ? "the team's best model and random search's tie"
      : difference > 0
        ? `the team's best model is ${points(difference).slice(1)} points above random search's`
        : `random search's best model is ${points(-difference).slice(1)} points above the team's`
  return `  → on this one seed ${said}. One seed is not evidence: \`npm start -- ${task.name === "spirals" ? "" : `--task ${task.name} `}--seeds 20\` runs both on 20 seeds and prints each one's mean with its 95% interval and the paired difference`
}

/** The summary of one seeded run of the team and random search. */
export const formatTeamReport = (task: TuningTask, team: TeamReport, random: RandomSearchResult): string =>
  [
    `mabeam flagship: ${team.candidates} candidate configurations of ${task.title}, ${team.rounds} round${team.rounds === 1 ? "" : "s"} of successive halving (${team.fullEvaluations} trained in full), ${team.spent} of ${team.budget} ${task.unit} spent (seed "${team.seed}", ${team.clockMillis} ms on the clock)`,
    team.best === undefined
      ? "  no candidate was evaluated"
      : `  best model ${percent(team.best.score)}, proposed by ${team.best.strategy}: ${team.best.config}`,
    `  best over time: ${team.improvements.map((step) => `#${step.candidate} ${percent(step.score)} (${step.strategy})`).join(" → ")}`,
    "",
    "  strategy   slots won   credits spent   left   best score   new bests",
    ...team.strategies.map(
      (row) =>
        `  ${row.name.padEnd(10)} ${String(row.won).padStart(9)} ${String(row.spent).padStart(15)} ${String(row.left).padStart(6)} ${percent(row.best).padStart(12)} ${String(row.bests).padStart(11)}`
    ),
    "",
    team.ensemble === undefined
      ? "  no configuration was trained in full: no ensemble"
      : `  final ensemble (${task.vote} of the ${team.ensemble.members.length} best trained in full): ${percent(team.ensemble.score)} — ${team.ensemble.members.join(", ")}`,
    `  single-agent random search, same ${random.spent} ${task.unit} (${random.evaluations} configurations), same data: best ${percent(random.best)}`,
    oneSeedVerdict(task, team.best?.score ?? 0, random.best),
    `  ledger: ${team.moneyConserved ? "money conserved, no escrow left" : "MONEY NOT CONSERVED"}`
  ].join("\n")

/** One line per seed of the comparison. */
export const formatSeedRow = (row: SeedResult): string =>
  `  ${row.seed.padEnd(14)} ${percent(row.team).padStart(9)} ${percent(row.ensemble).padStart(14)} ${percent(row.random).padStart(14)} ${points(row.team - row.random).padStart(12)}`

/** The header of the per-seed lines. */
export const formatSeedHeader = (task: TuningTask, budget: number, seeds: number): string =>
  [
    `mabeam flagship: the team against single-agent random search on ${task.title}, ${budget} ${task.unit} each, ${seeds} seeds`,
    `  ${"seed".padEnd(14)} ${"team best".padStart(9)} ${"team ensemble".padStart(14)} ${"random search".padStart(14)} ${"difference".padStart(12)}`
  ].join("\n")

/** The verdict of the comparison: the mean difference and whether its interval excludes zero. */
export const verdictOf = (difference: Interval): string =>
  difference.low > 0
    ? `the team is ahead by ${points(difference.mean).slice(1)} points on average, and the paired 95% interval ${pointsInterval(difference)} excludes zero`
    : difference.high < 0
      ? `random search is ahead by ${points(-difference.mean).slice(1)} points on average, and the paired 95% interval ${pointsInterval(difference)} excludes zero`
      : `no significant difference: the mean difference is ${points(difference.mean)} points and its paired 95% interval ${pointsInterval(difference)} includes zero`

/** The multi-seed summary: each contender's mean with its 95% interval, the paired differences, the verdict. */
export const formatComparison = (comparison: Comparison): string =>
  [
    `  over ${comparison.rows.length} seeds, ${comparison.budget} ${comparison.unit} each:      mean    95% interval`,
    `  team, best model                 ${percent(comparison.team.mean).padStart(6)}   ${interval(comparison.team)}`,
    `  team, ensemble or best model     ${percent(comparison.ensemble.mean).padStart(6)}   ${interval(comparison.ensemble)}`,
    `  single-agent random search       ${percent(comparison.random.mean).padStart(6)}   ${interval(comparison.random)}`,
    `  team best − random (paired)      ${points(comparison.difference.mean).padStart(6)}   ${pointsInterval(comparison.difference)}`,
    `  team ensemble − random (paired)  ${points(comparison.ensembleDifference.mean).padStart(6)}   ${pointsInterval(comparison.ensembleDifference)}`,
    `  → ${verdictOf(comparison.difference)}`
  ].join("\n")
