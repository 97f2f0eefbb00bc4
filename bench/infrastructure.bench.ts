/** Per-call overhead of a circuit breaker and a rate limiter around a trivial effect. */
import { Effect } from "effect"
import { makeCircuitBreaker, makeRateLimiter } from "../src/infrastructure/index.ts"
import { defineBench } from "./lib/index.ts"

const calls = 1_000
const bare = Effect.succeed(1)
const policy = { failureThreshold: 5, failureRate: 1, windowSize: 20, resetTimeoutMillis: 30_000, halfOpenTrials: 1 }
const breaker = Effect.runSync(makeCircuitBreaker("bench", Effect.succeed(policy)))
const rated = Effect.runSync(makeCircuitBreaker("bench-rate", Effect.succeed({ ...policy, failureRate: 0.5 })))
const limiter = Effect.runSync(makeRateLimiter(Effect.succeed({ capacity: 1e12, refillPerSecond: 1e12 })))
const keys = Array.from({ length: 1_000 }, (_, i) => `agent-${i}`)

const loop = (effect: (i: number) => Effect.Effect<unknown, unknown>) => () =>
  Effect.runSync(
    Effect.forEach(
      Array.from({ length: calls }, (_, i) => i),
      effect,
      { discard: true }
    )
  )

export default defineBench("infrastructure", [
  {
    group: "circuit breaker, 1000 calls per run",
    baseline: { name: "bare Effect.succeed", ops: calls, fn: loop(() => bare) },
    cases: [
      { name: "breaker.protect (consecutive rule)", ops: calls, fn: loop(() => breaker.protect(bare)) },
      { name: "breaker.protect (failure-rate window 20)", ops: calls, fn: loop(() => rated.protect(bare)) }
    ]
  },
  {
    group: "rate limiter, 1000 calls per run",
    baseline: { name: "bare Effect.succeed", ops: calls, fn: loop(() => bare) },
    cases: [
      { name: "limiter.limit, one key", ops: calls, fn: loop(() => limiter.limit("k")(bare)) },
      {
        name: "limiter.limit, 1000 keys",
        ops: calls,
        fn: loop((i) => limiter.limit(keys[i % keys.length] ?? "k")(bare))
      }
    ]
  }
])
