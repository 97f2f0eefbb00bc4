/**
 * Errors of the infrastructure capability.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A call was rejected because the circuit breaker `breaker` is open (or its trial slots are taken).
 *
 * @since 0.1.0
 * @category errors
 */
export class CircuitOpen extends Schema.TaggedError<CircuitOpen>()("CircuitOpen", {
  breaker: Schema.String,
  state: Schema.Literals(["Open", "HalfOpen"]),
  retryAfterMillis: Schema.Number
}) {
  override get message(): string {
    return `circuit breaker "${this.breaker}" is ${this.state}: call rejected, retry after ${this.retryAfterMillis} ms`
  }
}

/**
 * A call was rejected by the rate limiter for `key`; `retryAfterMillis` is when enough tokens will be back.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  key: Schema.String,
  cost: Schema.Number,
  available: Schema.Number,
  retryAfterMillis: Schema.Number
}) {
  override get message(): string {
    return `rate limit for "${this.key}" exceeded: cost ${this.cost}, ${this.available} available, retry after ${this.retryAfterMillis} ms`
  }
}

/**
 * No resource of pool `pool` became free within `timeoutMillis`.
 *
 * @since 0.1.0
 * @category errors
 */
export class PoolTimeout extends Schema.TaggedError<PoolTimeout>()("PoolTimeout", {
  pool: Schema.String,
  timeoutMillis: Schema.Number
}) {
  override get message(): string {
    return `pool "${this.pool}": no resource available within ${this.timeoutMillis} ms`
  }
}

/**
 * A health component named `name` is already registered.
 *
 * @since 0.1.0
 * @category errors
 */
export class ComponentExists extends Schema.TaggedError<ComponentExists>()("ComponentExists", {
  name: Schema.String
}) {
  override get message(): string {
    return `health component "${this.name}" is already registered`
  }
}

/**
 * A bounded registry (breakers, health components) already holds `limit` entries; `name` was not added.
 *
 * @since 0.1.0
 * @category errors
 */
export class LimitReached extends Schema.TaggedError<LimitReached>()("LimitReached", {
  registry: Schema.String,
  name: Schema.String,
  limit: Schema.Number
}) {
  override get message(): string {
    return `cannot add "${this.name}" to ${this.registry}: its limit of ${this.limit} entries is reached`
  }
}
