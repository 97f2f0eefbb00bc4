/**
 * Schemas of what crosses the infrastructure boundary: policies, names, keys.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
const PositiveNumber = Schema.Finite.check(Schema.isGreaterThan(0))

/**
 * A breaker, limiter or health-component name: 1-200 characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Name = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200))

/**
 * When a circuit breaker trips and how it recovers.
 * - `failureThreshold`: consecutive failures that open the circuit.
 * - `failureRate` / `windowSize`: the circuit also opens when, over the last `windowSize` calls
 *   (a full window), the share of failures is ≥ `failureRate`. `failureRate: 1` means
 *   "all of them", which the consecutive rule already covers.
 * - `resetTimeoutMillis`: how long it stays open before admitting trial calls.
 * - `halfOpenTrials`: trial calls admitted while half-open; that many successes close it,
 *   any failure re-opens it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BreakerPolicy = Schema.Struct({
  failureThreshold: PositiveInt,
  failureRate: PositiveNumber.check(Schema.isLessThanOrEqualTo(1)),
  windowSize: PositiveInt.check(Schema.isLessThanOrEqualTo(10_000)),
  resetTimeoutMillis: PositiveInt,
  halfOpenTrials: PositiveInt
})

/**
 * A decoded breaker policy.
 *
 * @since 0.1.0
 * @category models
 */
export type BreakerPolicy = typeof BreakerPolicy.Type

/**
 * The three states of a circuit breaker.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BreakerStateName = Schema.Literals(["Closed", "Open", "HalfOpen"])

/**
 * A breaker state name.
 *
 * @since 0.1.0
 * @category models
 */
export type BreakerStateName = typeof BreakerStateName.Type

/**
 * A token bucket: holds at most `capacity` tokens, refilled at `refillPerSecond`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LimiterPolicy = Schema.Struct({
  capacity: PositiveInt,
  refillPerSecond: PositiveNumber
})

/**
 * A decoded limiter policy.
 *
 * @since 0.1.0
 * @category models
 */
export type LimiterPolicy = typeof LimiterPolicy.Type

/**
 * Input of `RateLimiter.take`: a key and a cost (default 1) of at most the bucket capacity.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TakeInput = Schema.Struct({
  key: Name,
  cost: PositiveInt
})
