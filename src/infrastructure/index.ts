/**
 * Infrastructure (`mabeam/infrastructure`): circuit breakers, rate limiters, resource pools and
 * health checks.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimiter } from "mabeam/infrastructure"
 *
 * const program = Effect.gen(function*() {
 *   const limiter = yield* RateLimiter
 *   yield* limiter.take("tenant-a")   // RateLimited (with retry-after) when the bucket is empty
 * }).pipe(Effect.provide(RateLimiter.layerWith({ capacity: 10, refillPerSecond: 5 })))
 * ```
 *
 * @since 0.1.0
 */
export {
  CHANGES_BUFFER,
  type CircuitBreaker,
  CircuitBreakers,
  makeCircuitBreaker,
  MAX_BREAKERS,
  type StateChange
} from "./CircuitBreaker.ts"
export {
  aggregate,
  type ComponentHealth,
  ComponentStatus,
  Health,
  type HealthOptions,
  type HealthReport,
  HealthStatus
} from "./Health.ts"
export { CircuitOpen, ComponentExists, LimitReached, PoolTimeout, RateLimited } from "./InfrastructureError.ts"
export { type LimiterStatus, makeRateLimiter, MAX_KEYS, RateLimiter } from "./RateLimiter.ts"
export { makeResourcePool, type ResourcePool, ResourcePoolOptions } from "./ResourcePool.ts"
export { BreakerPolicy, BreakerStateName, LimiterPolicy, Name, TakeInput } from "./schema.ts"
