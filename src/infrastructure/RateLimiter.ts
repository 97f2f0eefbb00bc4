/**
 * A per-key token-bucket rate limiter: each key may spend up to `capacity` tokens at once and gets
 * `refillPerSecond` back; a call over the limit fails with `RateLimited` carrying retry-after.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer } from "effect"
import { MabeamConfig } from "../config/index.ts"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import { count, rateLimited } from "../telemetry/Metrics.ts"
import { RateLimited } from "./InfrastructureError.ts"
import * as Bucket from "./internal/tokenBucket.ts"
import { LimiterPolicy, Name, TakeInput } from "./schema.ts"

/**
 * What `status` reports for a key.
 *
 * @since 0.1.0
 * @category models
 */
export interface LimiterStatus {
  readonly key: string
  /** Whole tokens available now. */
  readonly available: number
  readonly capacity: number
  readonly refillPerSecond: number
}

/**
 * Most keys tracked at once. Policy when full: the least recently used key is forgotten, which
 * gives it a full bucket again; that key has been idle the longest, so it had refilled the most.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_KEYS = 100_000

const decodeTake = decodeInput(TakeInput, "RateLimiter.take")
const decodeStatusKey = decodeInput(Name, "RateLimiter.status")
const decodeResetKey = decodeInput(Name, "RateLimiter.reset")
const decodePolicy = decodeInput(LimiterPolicy, "RateLimiter.layerWith")

/**
 * Builds a limiter whose policy is read on every call, so runtime updates apply at once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRateLimiter = (policy: Effect.Effect<LimiterPolicy>) =>
  Effect.sync(() => {
    const buckets = new Map<string, Bucket.Bucket>()
    const store = (key: string, bucket: Bucket.Bucket) => {
      buckets.delete(key)
      buckets.set(key, bucket)
      if (buckets.size > MAX_KEYS) {
        const oldest = buckets.keys().next()
        if (oldest.done !== true) buckets.delete(oldest.value)
      }
    }
    const spend = (key: string, cost: number): Effect.Effect<void, RateLimited | InvalidInput> =>
      Effect.flatMap(policy, (current): Effect.Effect<void, RateLimited | InvalidInput> => {
        if (cost > current.capacity) {
          return Effect.fail(
            new InvalidInput({
              where: "RateLimiter.take",
              issue: `cost ${cost} exceeds the bucket capacity ${current.capacity}`
            })
          )
        }
        return Clock.clockWith((clock) => {
          const result = Bucket.take(buckets.get(key), clock.currentTimeMillisUnsafe(), cost, current)
          store(key, result.bucket)
          if (result._tag === "Admitted") return Effect.void
          return Effect.andThen(
            count(rateLimited, { limiter: key }),
            Effect.fail(
              new RateLimited({
                key,
                cost,
                available: Math.floor(result.bucket.tokens),
                retryAfterMillis: result.retryAfterMillis
              })
            )
          )
        })
      })
    const take = (key: string, cost = 1): Effect.Effect<void, RateLimited | InvalidInput> =>
      // Fast path for the common valid call; anything else goes through the Schema for its message.
      typeof key === "string" && key.length > 0 && key.length <= 200 && Number.isInteger(cost) && cost > 0
        ? spend(key, cost)
        : Effect.flatMap(decodeTake({ key, cost }), (input) => spend(input.key, input.cost))
    return RateLimiter.of({
      take,
      limit: (key, cost) => (effect) => Effect.andThen(take(key, cost), effect),
      status: (key) =>
        Effect.gen(function* () {
          const valid = yield* decodeStatusKey(key)
          const current = yield* policy
          const now = yield* Clock.currentTimeMillis
          const bucket = Bucket.refill(buckets.get(valid), now, current)
          return { key: valid, available: Math.floor(bucket.tokens), ...current }
        }),
      reset: (key) =>
        decodeResetKey(key).pipe(
          Effect.tap((valid) => Effect.sync(() => buckets.delete(valid))),
          Effect.asVoid
        ),
      size: Effect.sync(() => buckets.size)
    })
  })

/**
 * Per-key rate limiting.
 *
 * @since 0.1.0
 * @category services
 */
export class RateLimiter extends Context.Service<
  RateLimiter,
  {
    /**
     * Spends `cost` (default 1) tokens of `key`, or fails with `RateLimited` (nothing spent).
     * A cost above the capacity can never pass and fails with `InvalidInput`.
     */
    readonly take: (key: string, cost?: number) => Effect.Effect<void, RateLimited | InvalidInput>
    /**
     * Runs `effect` only if `take(key, cost)` admits it.
     *
     * @example
     * ```ts
     * const limiter = yield* RateLimiter
     * yield* limiter.limit(`agent:${id}`)(sendMessage)
     * ```
     */
    readonly limit: (
      key: string,
      cost?: number
    ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | RateLimited | InvalidInput, R>
    /** Tokens available for `key` now (a key never seen has a full bucket); changes nothing. */
    readonly status: (key: string) => Effect.Effect<LimiterStatus, InvalidInput>
    /** Refills `key` to capacity. */
    readonly reset: (key: string) => Effect.Effect<void, InvalidInput>
    /** How many keys are tracked (at most `MAX_KEYS`). */
    readonly size: Effect.Effect<number>
  }
>()("mabeam/RateLimiter") {
  /** A limiter with a fixed policy; fails with `InvalidInput` for a bad policy. */
  static readonly layerWith = (policy: LimiterPolicy): Layer.Layer<RateLimiter, InvalidInput> =>
    Layer.effect(RateLimiter, decodePolicy(policy).pipe(Effect.flatMap((p) => makeRateLimiter(Effect.succeed(p)))))

  /** A limiter following `MabeamConfig` `limiter` settings, runtime updates included. */
  static readonly layer: Layer.Layer<RateLimiter, never, MabeamConfig> = Layer.effect(
    RateLimiter,
    Effect.gen(function* () {
      const config = yield* MabeamConfig
      return yield* makeRateLimiter(Effect.map(config.current, (o) => o.limiter))
    })
  )
}
