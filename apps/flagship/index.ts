/** The flagship scenario: a team of agents tuning a real model, with auctions, budgets and chaos. */
export { Coordinator, Flush, makeStrategist, makeWorker, Propose, Report, STUDY, Train } from "./agents.ts"
export { bidFor, EXPLORATION_BID } from "./bidding.ts"
export { formatReport } from "./format.ts"
export { baselineSearch, chooseEnsemble, describeAssignment } from "./ensemble.ts"
export { type RoundProgress, runTuning, type TuningOptions, type TuningReport } from "./tuning.ts"
/** Tournament mode: successive halving over candidate agents, with prediction markets on the side. */
export { type BudgetedCvOptions, crossValidateOnBudget, MIN_TRAINING_ROWS } from "./fidelity.ts"
export { formatTournamentReport } from "./format-tournament.ts"
export {
  beliefOf,
  describeQuestion,
  type Ending,
  FAMILIES,
  LIQUIDITY,
  type MarketReport,
  makeTrader,
  outcomesOf,
  PAYOUT,
  type Question,
  resolve,
  Standing,
  type TraderProfile,
  TRADERS,
  TradeSession,
  VERSUS
} from "./market.ts"
export {
  ACCOUNTS,
  HOUSE_FUNDS,
  irisBudgetTask,
  planRungs,
  type RungProgress,
  type RungReport,
  runTournament,
  TRADER_FUNDS,
  TRADING_WINDOW_MILLIS,
  type TournamentModeOptions,
  type TournamentReport
} from "./tournament.ts"
/** The modes of the flagship (`npm start -- --mode <mode>`). */
export { FLAGSHIP_MODES, type FlagshipMode, parseMode, parseTask, type TaskName, TASKS } from "./mode.ts"
export { formatRoundProgress, formatRungProgress, formatTournamentStart, formatTuningStart } from "./progress.ts"
/** The team against single-agent random search on a budget, on a task where configuration matters. */
export { IRIS_FULL_COST, irisTask, spiralsTask, taskNamed, type TuningTask } from "./task.ts"
export {
  DEFAULT_STRATEGISTS,
  runTeam,
  type StrategistName,
  STRATEGISTS,
  type TeamOptions,
  type TeamReport,
  type TeamRoundProgress
} from "./team.ts"
export { randomSearch, type RandomSearchResult } from "./random-search.ts"
export {
  compare,
  compareOnce,
  type Comparison,
  type ComparisonOptions,
  duel,
  type DuelOptions,
  type SeedResult,
  teamAlone
} from "./compare.ts"
export { type Interval, meanInterval, pairedInterval, t95 } from "./stats.ts"
export {
  formatComparison,
  formatSeedHeader,
  formatSeedRow,
  formatTeamReport,
  formatTeamRound,
  formatTeamStart,
  verdictOf
} from "./format-team.ts"
