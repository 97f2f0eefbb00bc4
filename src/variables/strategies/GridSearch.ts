/**
 * Grid search: walks a grid of `levels` values per numeric variable (every value of categories
 * and small integer ranges) and proposes the first point neither observed nor pending. The walk
 * steps through the grid with a stride coprime to its size, so early proposals spread over the
 * whole space instead of varying only the last variable. When every point is taken it falls
 * back to random draws.
 *
 * The order is fixed by the space alone, so grid search is reproducible with or without a seed.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { assignmentKey, gridAxes, gridPoint, gridSize, sample } from "../space.ts"
import type { Strategy } from "./Strategy.ts"

/**
 * Options of `GridSearch.make`.
 *
 * @since 0.1.0
 * @category models
 */
export interface GridSearchOptions {
  /** Values per continuous (and wide integer) variable; default 5. */
  readonly levels?: number
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/** The stride of the walk: near the golden-ratio fraction of `size`, coprime to it. */
const strideFor = (size: number): number => {
  let stride = Math.max(1, Math.round(size * 0.6180339887))
  while (size > 1 && gcd(stride, size) !== 1) stride++
  return stride
}

/**
 * Grid search named `"grid"`; see the module comment for the walk order.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: GridSearchOptions = {}): Strategy => {
  const levels = Math.max(1, Math.floor(options.levels ?? 5))
  return {
    name: "grid",
    propose: (input) =>
      Effect.suspend(() => {
        const axes = gridAxes(input.space, levels)
        const size = gridSize(axes)
        const stride = strideFor(size)
        const taken = new Set<string>()
        for (const observation of input.observations) taken.add(assignmentKey(observation.assignment))
        for (const assignment of input.pending) taken.add(assignmentKey(assignment))
        // Stop scanning once every retained observation could have matched: the walk is O(history).
        const limit = Math.min(size, taken.size + 1)
        let index = 0
        for (let k = 0; k < limit; k++) {
          const point = gridPoint(input.space, axes, index)
          if (!taken.has(assignmentKey(point))) return Effect.succeed(point)
          index = (index + stride) % size
        }
        return sample(input.space)
      })
  }
}
