/**
 * Random search: every proposal is an independent uniform draw (log variables on their log
 * scale). The baseline every other strategy must beat, and embarrassingly parallel.
 *
 * @since 0.1.0
 */
import { sample } from "../space.ts"
import type { Strategy } from "./Strategy.ts"

/**
 * Random search, named `"random"`: ignores the history and draws uniformly from `Random`.
 *
 * @since 0.1.0
 * @category utils
 */
export const RandomSearch: Strategy = {
  name: "random",
  propose: (input) => sample(input.space)
}
