/**
 * Ledger: accounts, idempotent transfers, scoped holds (escrow), conservation of money.
 *
 * @since 0.1.0
 */
export { Ledger, type LedgerOptions } from "./Ledger.ts"
/** Secure mode's denial, re-exported: every state-changing ledger operation may fail with it. */
export { Unauthorized } from "../../security/errors.ts"
export {
  AccountExists,
  CaptureExceedsHold,
  IdempotencyConflict,
  InsufficientFunds,
  UnknownAccount,
  UnknownHold
} from "./LedgerError.ts"
export {
  AccountAmount,
  type Balance,
  CaptureInput,
  type Hold,
  type Totals,
  type Transfer,
  TransferInput
} from "./schema.ts"
