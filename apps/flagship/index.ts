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
export { FLAGSHIP_MODES, type FlagshipMode, parseMode } from "./mode.ts"
export { formatRoundProgress, formatRungProgress, formatTournamentStart, formatTuningStart } from "./progress.ts"
