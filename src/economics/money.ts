/**
 * Money and account identifiers shared by every economics capability.
 *
 * Amounts are `bigint` minor units (cents, credits, …): no floats anywhere, so conservation is
 * exact. Identifiers are short non-empty strings.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * The largest amount accepted at a boundary: 2^96 − 1 minor units.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_AMOUNT = (1n << 96n) - 1n

/**
 * A strictly positive amount in minor units, at most `MAX_AMOUNT`. Use for every transfer, hold and bid.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Amount = Schema.BigInt.check(Schema.isBetweenBigInt({ minimum: 1n, maximum: MAX_AMOUNT }))

/**
 * An amount that may be zero (prices, payments, reserves).
 *
 * @since 0.1.0
 * @category schemas
 */
export const NonNegativeAmount = Schema.BigInt.check(Schema.isBetweenBigInt({ minimum: 0n, maximum: MAX_AMOUNT }))

/**
 * The name of a ledger account: 1 to 128 characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccountId = Schema.String.check(Schema.isBetweenLength(1, 128))

/**
 * The name of an account, agent or bidder as a plain string (see `AccountId`).
 *
 * @since 0.1.0
 * @category models
 */
export type AccountId = typeof AccountId.Type
