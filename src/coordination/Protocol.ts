/**
 * The contract every coordination protocol follows: a pure step function
 * `(state, event) -> (state, outputs)` plus `runNode`, the one thin driver that feeds it events
 * from a `Transport` endpoint, the `Clock` and `Random`.
 *
 * The step function never reads time or randomness itself: each event carries `now` and a fresh
 * `random` in `[0, 1)`, so it is deterministic and unit-testable with plain values, and the same
 * code runs in-process, under the seeded simulator (`src/sim`) and across nodes.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Latch, Random } from "effect"
import type { Address, Endpoint } from "../transport/index.ts"
import { type AttributeValue, whenTracing } from "../telemetry/index.ts"

/**
 * What a protocol node reacts to. `Start` comes once, when the node (re)starts.
 *
 * @since 0.1.0
 * @category models
 */
export type Event<M> =
  | { readonly _tag: "Start"; readonly now: number; readonly random: number }
  | {
      readonly _tag: "Receive"
      readonly from: Address
      readonly message: M
      readonly now: number
      readonly random: number
    }
  | { readonly _tag: "Timer"; readonly key: string; readonly now: number; readonly random: number }

/**
 * What a step asks the driver to do. `Emit` reports something to the host (a commit, a grant).
 *
 * @since 0.1.0
 * @category models
 */
export type Output<M, O> =
  | { readonly _tag: "Send"; readonly to: Address; readonly message: M }
  | { readonly _tag: "SetTimer"; readonly key: string; readonly at: number }
  | { readonly _tag: "CancelTimer"; readonly key: string }
  | { readonly _tag: "Emit"; readonly value: O }

/**
 * The result of one step.
 *
 * @since 0.1.0
 * @category models
 */
export interface Step<S, M, O> {
  readonly state: S
  readonly outputs: ReadonlyArray<Output<M, O>>
}

/**
 * A protocol node as data and a pure step function.
 * - `init` builds the state of `self` from what survived a crash (`undefined` on first start);
 * - `step` handles one event; it must not throw;
 * - `persist` is what a crash keeps (Raft's term, vote and log; nothing for a lock owner's clients);
 * - `isMessage` rejects anything else that arrives on the endpoint (it is ignored).
 *
 * @since 0.1.0
 * @category models
 */
export interface Protocol<S, M, P, O> {
  readonly name: string
  readonly init: (self: Address, persisted: P | undefined) => S
  readonly step: (state: S, event: Event<M>) => Step<S, M, O>
  readonly persist: (state: S) => P
  readonly isMessage: (message: unknown) => message is M
}

/**
 * Options of `runNode`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunNodeOptions<S, M, P, O> {
  readonly endpoint: Endpoint
  readonly persisted?: P | undefined
  /**
   * Called after every step with the new state; returning a string reports a broken invariant and
   * makes the node die with that message (the simulator checks global invariants here).
   */
  readonly observe?:
    | ((state: S, event: Event<M>, outputs: ReadonlyArray<Output<M, O>>) => string | undefined)
    | undefined
  /** Receives every `Emit` output, in order. */
  readonly emit?: ((value: O) => Effect.Effect<void>) | undefined
  /**
   * Names a span for a step from the state before and after it (e.g. a Raft commit), or
   * `undefined` for none: the step's sends and emits then run inside that span, opened only when
   * a tracer is installed. Called after every step, so it must be cheap.
   */
  readonly span?: ((before: S, after: S) => StepSpan | undefined) | undefined
}

/**
 * A span for one step of a node (see `RunNodeOptions.span`).
 *
 * @since 0.1.0
 * @category models
 */
export interface StepSpan {
  readonly name: string
  readonly attributes: Record<string, AttributeValue>
}

/**
 * Builds a `Step` (a helper for step functions).
 *
 * @since 0.1.0
 * @category utils
 */
export const step = <S, M, O>(state: S, outputs: ReadonlyArray<Output<M, O>> = []): Step<S, M, O> => ({
  state,
  outputs
})

/**
 * A `Send` output.
 *
 * @since 0.1.0
 * @category utils
 */
export const send = <M>(to: Address, message: M): Output<M, never> => ({ _tag: "Send", to, message })

/**
 * A `SetTimer` output: fire `key` at absolute time `at` (replaces an earlier timer of that key).
 *
 * @since 0.1.0
 * @category utils
 */
export const setTimer = (key: string, at: number): Output<never, never> => ({ _tag: "SetTimer", key, at })

/**
 * An `Emit` output.
 *
 * @since 0.1.0
 * @category utils
 */
export const emit = <O>(value: O): Output<never, O> => ({ _tag: "Emit", value })

/**
 * Runs one protocol node on `endpoint` until interrupted: delivers `Start`, then every received
 * message and every due timer to `protocol.step`, executing its outputs. Dies (a defect) when
 * `observe` reports a broken invariant.
 *
 * Two loops share the node's state: one takes batches from the endpoint and steps each message,
 * the other sleeps until the earliest timer and steps the due ones (in time order, then key
 * order). Each step is synchronous (state, timers and `observe` are updated before anything else
 * runs); its sends and emits then run in order. A timer set earlier than the one slept on wakes
 * the timer loop, so no per-message timeout is needed.
 *
 * @since 0.1.0
 * @category utils
 */
export const runNode = <S, M, P, O>(
  protocol: Protocol<S, M, P, O>,
  options: RunNodeOptions<S, M, P, O>
): Effect.Effect<never> =>
  Effect.gen(function* () {
    const rng = yield* Random.Random
    const clock = yield* Clock.Clock
    const { endpoint, emit: onEmit, observe } = options
    const timers = new Map<string, number>()
    let state = protocol.init(endpoint.address, options.persisted)
    /** The deadline the timer loop sleeps until, and how to wake it earlier. */
    let armed = Infinity
    let rearm: (() => void) | undefined

    const effects = (outputs: ReadonlyArray<Output<M, O>>): Array<Effect.Effect<void>> | undefined => {
      let pending: Array<Effect.Effect<void>> | undefined
      for (const output of outputs) {
        switch (output._tag) {
          case "Send":
            ;(pending ??= []).push(endpoint.send(output.to, output.message))
            break
          case "SetTimer":
            timers.set(output.key, output.at)
            if (output.at < armed && rearm !== undefined) {
              const wake = rearm
              rearm = undefined
              wake()
            }
            break
          case "CancelTimer":
            timers.delete(output.key)
            break
          case "Emit":
            if (onEmit !== undefined) (pending ??= []).push(onEmit(output.value))
        }
      }
      return pending
    }

    const apply = (event: Event<M>): Effect.Effect<void> => {
      const before = state
      const next = protocol.step(state, event)
      state = next.state
      const violation = observe?.(state, event, next.outputs)
      if (violation !== undefined) {
        return Effect.die(new Error(`${protocol.name} invariant broken at ${endpoint.address.node}: ${violation}`))
      }
      const pending = effects(next.outputs)
      const run =
        pending === undefined
          ? Effect.void
          : pending.length === 1
            ? pending[0]!
            : Effect.all(pending, { discard: true })
      const span = options.span?.(before, state)
      return span === undefined ? run : run.pipe(whenTracing(span.name, span.attributes))
    }

    const now = () => clock.currentTimeMillisUnsafe()
    const earliest = () => {
      let at = Infinity
      for (const t of timers.values()) if (t < at) at = t
      return at
    }
    const fireDue = Effect.gen(function* () {
      const t = now()
      const due = [...timers].filter(([, at]) => at <= t).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      for (const [key, at] of due) {
        if (timers.get(key) !== at) continue
        timers.delete(key)
        yield* apply({ _tag: "Timer", key, now: now(), random: rng.nextDoubleUnsafe() })
      }
    })
    const receiving = Effect.gen(function* () {
      while (true) {
        for (const envelope of yield* endpoint.receive) {
          if (protocol.isMessage(envelope.message)) {
            yield* apply({
              _tag: "Receive",
              from: envelope.from,
              message: envelope.message,
              now: now(),
              random: rng.nextDoubleUnsafe()
            })
          }
        }
      }
    })
    const timing = Effect.gen(function* () {
      while (true) {
        armed = earliest()
        const wait = armed - now()
        if (wait > 0) {
          // Armed before suspending, so a timer set meanwhile by the receive loop is never missed.
          const woken = Latch.makeUnsafe(false)
          rearm = () => void woken.openUnsafe()
          yield* armed === Infinity ? woken.await : Effect.raceFirst(Effect.sleep(wait), woken.await)
        }
        armed = Infinity
        rearm = undefined
        yield* fireDue
      }
    })

    yield* apply({ _tag: "Start", now: now(), random: rng.nextDoubleUnsafe() })
    return yield* Effect.raceFirst(receiving, timing)
  })
