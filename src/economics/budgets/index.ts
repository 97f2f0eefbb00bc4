/**
 * Budgets: per-agent and per-team spending limits over ledger accounts.
 *
 * @since 0.1.0
 */
export {
  BudgetExceeded,
  BudgetExists,
  Budgets,
  type BudgetsOptions,
  BudgetSpec,
  SpendInput,
  TooManyBudgets,
  UnknownBudget
} from "./Budgets.ts"
