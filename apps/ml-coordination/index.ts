/**
 * ML coordination mechanisms: model-selection tournaments (successive halving over candidate
 * agents, paid from the ledger) and prediction markets (LMSR market maker, settled through the
 * ledger).
 *
 * @since 0.1.0
 */
export { BudgetExhausted, CandidateFailed, InsufficientShares, MarketSettled } from "./errors.ts"
export * as Tournament from "./Tournament.ts"
export type {
  Round,
  Score,
  Task as TournamentTask,
  TournamentError,
  TournamentResult,
  TournamentSetup
} from "./Tournament.ts"
/** The LMSR cost function, prices and loss bound (pure). */
export * as Lmsr from "./lmsr.ts"
export * as PredictionMarket from "./PredictionMarket.ts"
export type { Fill, PredictionMarket as Market, Settlement, TradeError } from "./PredictionMarket.ts"
export * as Hyperband from "./Hyperband.ts"
export type { Bracket, HyperbandResult } from "./Hyperband.ts"
/** Incentive-aligned task allocation: a VCG reverse auction, one task per agent, settled through the ledger. */
export * as TaskAllocation from "./TaskAllocation.ts"
export type { Procurement, TaskAllocation as TaskAllocationOutcome, TaskAward } from "./TaskAllocation.ts"
