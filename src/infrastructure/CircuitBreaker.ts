/**
 * Circuit breakers: closed → open (after consecutive failures or a failure rate) → half-open (trial
 * calls after a timeout) → closed. `CircuitBreakers` is the per-name registry other services use.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Context, Effect, Exit, Layer, PubSub, Stream } from "effect"
import { MabeamConfig } from "../config/index.ts"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { breakerRejections, breakerState, count, setGauge } from "../telemetry/Metrics.ts"
import { CircuitOpen, LimitReached } from "./InfrastructureError.ts"
import * as Machine from "./internal/breakerMachine.ts"
import { BreakerPolicy, type BreakerStateName, Name } from "./schema.ts"

/**
 * A transition of breaker `breaker` from `from` to `to` at `at` (epoch millis from `Clock`).
 *
 * @since 0.1.0
 * @category models
 */
export interface StateChange {
  readonly breaker: string
  readonly from: BreakerStateName
  readonly to: BreakerStateName
  readonly at: number
}

/**
 * One circuit breaker.
 *
 * @since 0.1.0
 * @category models
 */
export interface CircuitBreaker {
  readonly name: string
  /**
   * Runs `effect` if the breaker admits it, recording its outcome; fails with `CircuitOpen` when
   * open. Failures and defects count as failures; interruption counts as nothing.
   */
  readonly protect: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | CircuitOpen, R>
  /** The current state. An open breaker turns half-open on the first call after its timeout. */
  readonly state: Effect.Effect<BreakerStateName>
  /** Forces the breaker closed and clears its failure window. */
  readonly reset: Effect.Effect<void>
  /** Forces the breaker open now (e.g. a health check reported the dependency down). */
  readonly trip: Effect.Effect<void>
}

/**
 * Builds a breaker whose policy is read on every call (so runtime policy updates apply at once);
 * `onChange` is told every state transition.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCircuitBreaker = (
  name: string,
  policy: Effect.Effect<BreakerPolicy>,
  onChange: (change: StateChange) => Effect.Effect<void> = () => Effect.void
): Effect.Effect<CircuitBreaker> =>
  Effect.gen(function* () {
    // Transitions are synchronous reads and writes of `state`, so each one is atomic on the JS thread.
    let state: Machine.MachineState = Machine.initial
    const attributes = { breaker: name }
    yield* setGauge(breakerState, 0, attributes)

    const announce = (before: Machine.MachineState, after: Machine.MachineState, now: number): Effect.Effect<void> =>
      before._tag === after._tag
        ? Effect.void
        : Effect.andThen(
            setGauge(breakerState, Machine.stateGauge(after), attributes),
            onChange({ breaker: name, from: before._tag, to: after._tag, at: now })
          )

    const transition = (f: (state: Machine.MachineState, now: number) => Machine.MachineState) =>
      Clock.clockWith((clock) =>
        Effect.suspend(() => {
          const now = clock.currentTimeMillisUnsafe()
          const before = state
          state = f(before, now)
          return announce(before, state, now)
        })
      )

    const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Machine.Outcome =>
      Exit.isSuccess(exit) ? "Success" : Cause.hasInterruptsOnly(exit.cause) ? "Interrupted" : "Failure"

    const protect = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | CircuitOpen, R> =>
      Effect.uninterruptibleMask((restore) =>
        Clock.clockWith((clock) =>
          Effect.flatMap(policy, (current): Effect.Effect<A, E | CircuitOpen, R> => {
            const now = clock.currentTimeMillisUnsafe()
            const before = state
            const [admission, after] = Machine.admit(before, now, current)
            state = after
            if (admission._tag === "Rejected") {
              return Effect.andThen(
                count(breakerRejections, attributes),
                Effect.fail(
                  new CircuitOpen({
                    breaker: name,
                    state: state._tag === "HalfOpen" ? "HalfOpen" : "Open",
                    retryAfterMillis: admission.retryAfterMillis
                  })
                )
              )
            }
            return Effect.andThen(
              announce(before, after, now),
              Effect.onExit(restore(effect), (exit) =>
                transition((s, t) => Machine.record(s, admission.generation, outcomeOf(exit), t, current))
              )
            )
          })
        )
      )

    return {
      name,
      protect,
      state: Effect.sync(() => Machine.stateName(state)),
      reset: transition(Machine.reset),
      trip: transition(Machine.trip)
    }
  })

/**
 * Most breakers a registry holds; `get` of a new name beyond it fails with `LimitReached`.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_BREAKERS = 10_000

/**
 * How many state changes a slow `changes` subscriber may lag behind; when full the oldest is
 * dropped (the breaker's `state` is always authoritative).
 *
 * @since 0.1.0
 * @category constants
 */
export const CHANGES_BUFFER = 256

const decodeName = decodeInput(Name, "CircuitBreakers.get")
const decodePolicy = decodeInput(BreakerPolicy, "CircuitBreakers.layerWith")

const makeRegistry = (policy: Effect.Effect<BreakerPolicy>) =>
  Effect.gen(function* () {
    const breakers = new Map<string, CircuitBreaker>()
    const pubsub = yield* PubSub.sliding<StateChange>(CHANGES_BUFFER)
    yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))
    const onChange = (change: StateChange) => PubSub.publish(pubsub, change).pipe(Effect.asVoid)
    const get = (input: unknown): Effect.Effect<CircuitBreaker, InvalidInput | LimitReached> =>
      decodeName(input).pipe(
        Effect.flatMap((name) => {
          const existing = breakers.get(name)
          if (existing !== undefined) return Effect.succeed(existing)
          if (breakers.size >= MAX_BREAKERS) {
            return Effect.fail(new LimitReached({ registry: "CircuitBreakers", name, limit: MAX_BREAKERS }))
          }
          return makeCircuitBreaker(name, policy, onChange).pipe(
            Effect.tap((b) => Effect.sync(() => breakers.set(name, b)))
          )
        })
      )
    return CircuitBreakers.of({
      get,
      protect: (name) => (effect) => get(name).pipe(Effect.flatMap((b) => b.protect(effect))),
      states: Effect.suspend(() =>
        Effect.forEach([...breakers.values()], (b) => Effect.map(b.state, (s) => [b.name, s] as const))
      ).pipe(Effect.map((entries) => new Map(entries))),
      changes: Stream.fromPubSub(pubsub)
    })
  })

/**
 * The per-name registry of circuit breakers.
 *
 * @since 0.1.0
 * @category services
 */
export class CircuitBreakers extends Context.Service<
  CircuitBreakers,
  {
    /** The breaker called `name`, created on first use; fails with `InvalidInput` for a bad name. */
    readonly get: (name: string) => Effect.Effect<CircuitBreaker, InvalidInput | LimitReached>
    /**
     * Runs `effect` through the breaker `name`.
     *
     * @example
     * ```ts
     * const breakers = yield* CircuitBreakers
     * const price = yield* breakers.protect("pricing-api")(fetchPrice)
     * ```
     */
    readonly protect: (
      name: string
    ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | CircuitOpen | InvalidInput | LimitReached, R>
    /** The state of every breaker, by name. */
    readonly states: Effect.Effect<ReadonlyMap<string, BreakerStateName>>
    /** Every state change of every breaker (bounded: a lagging subscriber loses the oldest). */
    readonly changes: Stream.Stream<StateChange>
  }
>()("mabeam/CircuitBreakers") {
  /** Breakers with a fixed policy; fails with `InvalidInput` for a bad policy. */
  static readonly layerWith = (policy: BreakerPolicy): Layer.Layer<CircuitBreakers, InvalidInput> =>
    Layer.effect(CircuitBreakers, decodePolicy(policy).pipe(Effect.flatMap((p) => makeRegistry(Effect.succeed(p)))))

  /** Breakers whose policy follows `MabeamConfig` `breaker` settings, runtime updates included. */
  static readonly layer: Layer.Layer<CircuitBreakers, never, MabeamConfig> = Layer.effect(
    CircuitBreakers,
    Effect.gen(function* () {
      const config = yield* MabeamConfig
      return yield* makeRegistry(Effect.map(config.current, (o) => o.breaker))
    })
  )
}
