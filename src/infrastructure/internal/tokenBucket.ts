/**
 * The token bucket as pure functions of `(bucket, now, policy)`. The `RateLimiter` service stores
 * one bucket per key and feeds these the clock.
 *
 * @internal
 */
import { invariant } from "../../errors/Invariant.ts"
import type { LimiterPolicy } from "../schema.ts"

/**
 * Tokens left at `updatedAt` (epoch millis).
 *
 * @since 0.1.0
 * @category models
 */
export interface Bucket {
  readonly tokens: number
  readonly updatedAt: number
}

/**
 * The bucket at `now`: refilled by elapsed time, never above capacity (an absent bucket is full).
 *
 * @since 0.1.0
 * @category utils
 */
export const refill = (bucket: Bucket | undefined, now: number, policy: LimiterPolicy): Bucket => {
  if (bucket === undefined) return { tokens: policy.capacity, updatedAt: now }
  const elapsed = Math.max(0, now - bucket.updatedAt)
  const tokens = Math.min(policy.capacity, bucket.tokens + (elapsed * policy.refillPerSecond) / 1000)
  invariant(tokens >= 0 && tokens <= policy.capacity, `token bucket holds ${tokens} of ${policy.capacity}`)
  return { tokens, updatedAt: Math.max(now, bucket.updatedAt) }
}

/**
 * The verdict of one `take`.
 *
 * @since 0.1.0
 * @category models
 */
export type TakeResult =
  | { readonly _tag: "Admitted"; readonly bucket: Bucket }
  | { readonly _tag: "Limited"; readonly bucket: Bucket; readonly retryAfterMillis: number }

/**
 * Takes `cost` tokens at `now` if the bucket holds them; otherwise says how long until it will.
 *
 * @since 0.1.0
 * @category utils
 */
export const take = (bucket: Bucket | undefined, now: number, cost: number, policy: LimiterPolicy): TakeResult => {
  const current = refill(bucket, now, policy)
  if (current.tokens >= cost) {
    return { _tag: "Admitted", bucket: { tokens: current.tokens - cost, updatedAt: current.updatedAt } }
  }
  const retryAfterMillis = Math.ceil(((cost - current.tokens) * 1000) / policy.refillPerSecond)
  invariant(retryAfterMillis > 0, `a limited take must wait, got retryAfter ${retryAfterMillis} ms`)
  return { _tag: "Limited", bucket: current, retryAfterMillis }
}
