/**
 * Schemas of what crosses the ledger's boundary.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { AccountId, Amount } from "../money.ts"

/**
 * Input of `Ledger.transfer`. `key` makes the transfer idempotent: the same key twice is one transfer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TransferInput = Schema.Struct({
  from: AccountId,
  to: AccountId,
  amount: Amount,
  key: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 256)))
})
/**
 * Input of `Ledger.transfer`.
 *
 * @since 0.1.0
 * @category models
 */
export type TransferInput = typeof TransferInput.Type

/**
 * Input of `Ledger.mint`, `Ledger.burn` and `Ledger.hold`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccountAmount = Schema.Struct({ account: AccountId, amount: Amount })
/**
 * Input of `Ledger.mint`, `Ledger.burn` and `Ledger.hold`.
 *
 * @since 0.1.0
 * @category models
 */
export type AccountAmount = typeof AccountAmount.Type

/**
 * Input of `Ledger.capture`: where the money goes and, optionally, how much (the rest is released).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CaptureInput = Schema.Struct({
  hold: Schema.String,
  to: AccountId,
  amount: Schema.optionalKey(Amount),
  keepRest: Schema.optionalKey(Schema.Boolean)
})
/**
 * Input of `Ledger.capture`.
 *
 * @since 0.1.0
 * @category models
 */
export type CaptureInput = typeof CaptureInput.Type

/**
 * A completed transfer. Replaying an idempotency key returns the original receipt.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transfer {
  readonly id: number
  readonly from: string
  readonly to: string
  readonly amount: bigint
  readonly key: string | undefined
}

/**
 * Money reserved on an account until captured or released.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hold {
  readonly id: string
  readonly account: string
  readonly amount: bigint
}

/**
 * An account's balance: `available` can be spent, `held` is reserved by holds.
 *
 * @since 0.1.0
 * @category models
 */
export interface Balance {
  readonly available: bigint
  readonly held: bigint
}

/**
 * Ledger-wide totals. Conservation: `available + held === supply` always.
 *
 * @since 0.1.0
 * @category models
 */
export interface Totals {
  readonly supply: bigint
  readonly available: bigint
  readonly held: bigint
  readonly accounts: number
  readonly holds: number
}
