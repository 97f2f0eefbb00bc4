/**
 * The tagged errors of the ledger. Every failed ledger operation leaves the ledger unchanged.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The named account was never opened.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownAccount extends Schema.TaggedError<UnknownAccount>()("UnknownAccount", {
  account: Schema.String
}) {
  override get message(): string {
    return `account "${this.account}" does not exist`
  }
}

/**
 * `Ledger.open` was called for an account that already exists.
 *
 * @since 0.1.0
 * @category errors
 */
export class AccountExists extends Schema.TaggedError<AccountExists>()("AccountExists", {
  account: Schema.String
}) {
  override get message(): string {
    return `account "${this.account}" already exists`
  }
}

/**
 * The account's available balance (balance minus holds) is below what the operation needs.
 *
 * @since 0.1.0
 * @category errors
 */
export class InsufficientFunds extends Schema.TaggedError<InsufficientFunds>()("InsufficientFunds", {
  account: Schema.String,
  available: Schema.BigInt,
  needed: Schema.BigInt
}) {
  override get message(): string {
    return `account "${this.account}" has ${this.available} available, needs ${this.needed}`
  }
}

/**
 * The hold was never made, or was already captured or released.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownHold extends Schema.TaggedError<UnknownHold>()("UnknownHold", {
  hold: Schema.String
}) {
  override get message(): string {
    return `hold "${this.hold}" does not exist (never made, or already captured or released)`
  }
}

/**
 * A capture asked for more than the hold reserves.
 *
 * @since 0.1.0
 * @category errors
 */
export class CaptureExceedsHold extends Schema.TaggedError<CaptureExceedsHold>()("CaptureExceedsHold", {
  hold: Schema.String,
  held: Schema.BigInt,
  requested: Schema.BigInt
}) {
  override get message(): string {
    return `hold "${this.hold}" reserves ${this.held}, capture asked for ${this.requested}`
  }
}

/**
 * An idempotency key was reused for a different transfer.
 *
 * @since 0.1.0
 * @category errors
 */
export class IdempotencyConflict extends Schema.TaggedError<IdempotencyConflict>()("IdempotencyConflict", {
  key: Schema.String
}) {
  override get message(): string {
    return `idempotency key "${this.key}" was already used for a different transfer`
  }
}
