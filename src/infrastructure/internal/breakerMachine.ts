/**
 * The circuit breaker as a pure state machine: `(state, event, policy) -> state`. The service in
 * `CircuitBreaker.ts` is a thin driver that feeds it the clock and call outcomes.
 *
 * @internal
 */
import { invariant } from "../../errors/Invariant.ts"
import type { BreakerPolicy, BreakerStateName } from "../schema.ts"

/**
 * Machine state. `generation` changes on every transition so stale outcomes are ignored.
 *
 * @since 0.1.0
 * @category models
 */
export type MachineState =
  | {
      readonly _tag: "Closed"
      readonly generation: number
      /** Outcomes of the last `windowSize` calls, `true` = failure, oldest first. */
      readonly window: ReadonlyArray<boolean>
      readonly consecutive: number
    }
  | { readonly _tag: "Open"; readonly generation: number; readonly openedAt: number }
  | { readonly _tag: "HalfOpen"; readonly generation: number; readonly inFlight: number; readonly successes: number }

/**
 * The initial state: closed, empty window.
 *
 * @since 0.1.0
 * @category utils
 */
export const initial: MachineState = { _tag: "Closed", generation: 0, window: [], consecutive: 0 }

/**
 * The verdict for one call attempt.
 *
 * @since 0.1.0
 * @category models
 */
export type Admission =
  | { readonly _tag: "Admitted"; readonly generation: number }
  | { readonly _tag: "Rejected"; readonly retryAfterMillis: number }

const closed = (generation: number): MachineState => ({ _tag: "Closed", generation, window: [], consecutive: 0 })

/**
 * Decides whether a call may run at `now`; moves Open → HalfOpen once the timeout has passed.
 *
 * @since 0.1.0
 * @category utils
 */
export const admit = (state: MachineState, now: number, policy: BreakerPolicy): readonly [Admission, MachineState] => {
  switch (state._tag) {
    case "Closed":
      return [{ _tag: "Admitted", generation: state.generation }, state]
    case "Open": {
      const reopensAt = state.openedAt + policy.resetTimeoutMillis
      if (now < reopensAt) return [{ _tag: "Rejected", retryAfterMillis: reopensAt - now }, state]
      const generation = state.generation + 1
      return [
        { _tag: "Admitted", generation },
        { _tag: "HalfOpen", generation, inFlight: 1, successes: 0 }
      ]
    }
    case "HalfOpen":
      if (state.inFlight + state.successes >= policy.halfOpenTrials) {
        return [{ _tag: "Rejected", retryAfterMillis: 0 }, state]
      }
      return [
        { _tag: "Admitted", generation: state.generation },
        { ...state, inFlight: state.inFlight + 1 }
      ]
  }
}

/**
 * The outcome of an admitted call. `Interrupted` frees a half-open trial slot and counts as nothing.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "Success" | "Failure" | "Interrupted"

/**
 * Applies the outcome of a call admitted in `generation`; outcomes from an older generation are ignored.
 *
 * @since 0.1.0
 * @category utils
 */
export const record = (
  state: MachineState,
  generation: number,
  outcome: Outcome,
  now: number,
  policy: BreakerPolicy
): MachineState => {
  if (generation !== state.generation) return state
  switch (state._tag) {
    case "Open":
      return state
    case "Closed": {
      if (outcome === "Interrupted") return state
      const failed = outcome === "Failure"
      const window = [...state.window, failed].slice(-policy.windowSize)
      invariant(window.length <= policy.windowSize, `breaker window ${window.length} > ${policy.windowSize}`)
      const consecutive = failed ? state.consecutive + 1 : 0
      const failures = window.filter((f) => f).length
      const rateTripped =
        policy.failureRate < 1 && window.length >= policy.windowSize && failures / window.length >= policy.failureRate
      if (failed && (consecutive >= policy.failureThreshold || rateTripped)) {
        return { _tag: "Open", generation: state.generation + 1, openedAt: now }
      }
      return { ...state, window, consecutive }
    }
    case "HalfOpen": {
      const inFlight = state.inFlight - 1
      invariant(inFlight >= 0, "a half-open breaker recorded more outcomes than it admitted")
      if (outcome === "Interrupted") return { ...state, inFlight }
      if (outcome === "Failure") return { _tag: "Open", generation: state.generation + 1, openedAt: now }
      const successes = state.successes + 1
      return successes >= policy.halfOpenTrials ? closed(state.generation + 1) : { ...state, inFlight, successes }
    }
  }
}

/**
 * Forces the breaker closed (manual reset).
 *
 * @since 0.1.0
 * @category utils
 */
export const reset = (state: MachineState): MachineState => closed(state.generation + 1)

/**
 * Forces the breaker open at `now` (manual trip, e.g. a dependency reported down).
 *
 * @since 0.1.0
 * @category utils
 */
export const trip = (state: MachineState, now: number): MachineState => ({
  _tag: "Open",
  generation: state.generation + 1,
  openedAt: now
})

/**
 * The public name of a state.
 *
 * @since 0.1.0
 * @category utils
 */
export const stateName = (state: MachineState): BreakerStateName => state._tag

/**
 * The gauge value of a state: 0 closed, 1 half-open, 2 open.
 *
 * @since 0.1.0
 * @category utils
 */
export const stateGauge = (state: MachineState): number =>
  state._tag === "Closed" ? 0 : state._tag === "HalfOpen" ? 1 : 2
