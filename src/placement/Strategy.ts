/**
 * Routing strategies as pure pickers: given the eligible candidates, choose one. No effects, no
 * allocation per pick, so the same code serves the `Router`, task allocation and the bench.
 *
 * @since 0.1.0
 */
import type { Random } from "effect"
import { Schema } from "effect"

/**
 * How a router chooses among eligible agents:
 * - `"round-robin"`: each in turn;
 * - `"random"`: uniformly, from the seeded `Random`;
 * - `"least-loaded"`: the shortest mailbox (ties: the first in selection order);
 * - `"power-of-two"`: two distinct random candidates, the less loaded of them;
 * - `"capability-match"`: the most specialised candidate (fewest capabilities beyond those
 *   required), ties by load — generalists stay free for work only they can do.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Strategy = Schema.Literals(["round-robin", "random", "least-loaded", "power-of-two", "capability-match"])
/**
 * How a router chooses among eligible agents.
 *
 * @since 0.1.0
 * @category models
 */
export type Strategy = typeof Strategy.Type

/**
 * What a picker needs to know about a candidate.
 *
 * @since 0.1.0
 * @category models
 */
export interface Measure<T> {
  /** Queue length (or any load figure; lower is better). */
  readonly load: (candidate: T) => number
  /** How many capabilities the candidate has beyond those required (for `"capability-match"`). */
  readonly surplus?: (candidate: T) => number
}

/**
 * A stateful chooser: `pick` returns the index of the chosen candidate, -1 when there is none.
 *
 * @since 0.1.0
 * @category models
 */
export interface Picker<T> {
  readonly strategy: Strategy
  readonly pick: (candidates: ReadonlyArray<T>) => number
}

const leastLoaded = <T>(candidates: ReadonlyArray<T>, load: (candidate: T) => number): number => {
  let best = -1
  let bestLoad = Infinity
  for (let i = 0; i < candidates.length; i++) {
    const value = load(candidates[i] as T)
    if (value < bestLoad) {
      best = i
      bestLoad = value
    }
  }
  return best
}

/**
 * Builds a picker. `random` is read only by `"random"` and `"power-of-two"`; pass the `Random`
 * service (seeded in tests with `Random.withSeed`) so every run replays.
 *
 * @example
 * ```ts
 * const picker = makePicker<AgentRef<unknown>>("least-loaded", { load: (ref) => ref.mailboxSize() }, random)
 * const index = picker.pick(refs) // -1 when refs is empty
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePicker = <T>(strategy: Strategy, measure: Measure<T>, random: Random.Random): Picker<T> => {
  const { load } = measure
  switch (strategy) {
    case "round-robin": {
      let next = 0
      return {
        strategy,
        pick: (candidates) => {
          if (candidates.length === 0) return -1
          if (next >= candidates.length) next = 0
          return next++
        }
      }
    }
    case "random":
      return {
        strategy,
        pick: (candidates) => (candidates.length === 0 ? -1 : Math.floor(random.nextDoubleUnsafe() * candidates.length))
      }
    case "least-loaded":
      return { strategy, pick: (candidates) => leastLoaded(candidates, load) }
    case "power-of-two":
      return {
        strategy,
        pick: (candidates) => {
          const n = candidates.length
          if (n < 2) return n - 1
          const a = Math.floor(random.nextDoubleUnsafe() * n)
          // a second index distinct from the first, uniformly among the other n - 1
          const b = (a + 1 + Math.floor(random.nextDoubleUnsafe() * (n - 1))) % n
          return load(candidates[b] as T) < load(candidates[a] as T) ? b : a
        }
      }
    case "capability-match": {
      const surplus = measure.surplus ?? (() => 0)
      return {
        strategy,
        pick: (candidates) => {
          let best = -1
          let bestSurplus = Infinity
          let bestLoad = Infinity
          for (let i = 0; i < candidates.length; i++) {
            const candidate = candidates[i] as T
            const extra = surplus(candidate)
            if (extra > bestSurplus) continue
            const value = load(candidate)
            if (extra < bestSurplus || value < bestLoad) {
              best = i
              bestSurplus = extra
              bestLoad = value
            }
          }
          return best
        }
      }
    }
  }
}
