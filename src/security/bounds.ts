/**
 * Bounds on attacker-supplied JSON, checked iteratively (never by recursion) before any decoder,
 * hasher or signer walks the value: deep nesting or a huge value is `InvalidInput` naming the
 * limit, not a stack overflow.
 *
 * @since 0.1.0
 */
import { InvalidInput } from "../errors/index.ts"

/**
 * Deepest nesting of arrays and objects accepted in a payload or audit detail.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_JSON_DEPTH = 64
/**
 * Most values (scalars, arrays, objects, keys) accepted in one payload or audit detail.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_JSON_NODES = 100_000

/**
 * `undefined` if `value` is within `MAX_JSON_DEPTH` and `MAX_JSON_NODES`, else the `InvalidInput`
 * (at `where`) that names the limit it broke. Cycles count as depth, so they are refused too.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkJsonBounds = (value: unknown, where: string): InvalidInput | undefined => {
  const stack: Array<readonly [unknown, number]> = [[value, 1]]
  let nodes = 0
  while (stack.length > 0) {
    const [next, depth] = stack.pop() as readonly [unknown, number]
    if (++nodes > MAX_JSON_NODES) {
      return new InvalidInput({ where, issue: `more than ${MAX_JSON_NODES} values (MAX_JSON_NODES)` })
    }
    if (next === null || typeof next !== "object") continue
    if (depth > MAX_JSON_DEPTH) {
      return new InvalidInput({ where, issue: `nested deeper than ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)` })
    }
    if (Array.isArray(next)) {
      for (const item of next) stack.push([item, depth + 1])
    } else {
      for (const key in next) {
        nodes++
        stack.push([(next as Record<string, unknown>)[key], depth + 1])
      }
    }
  }
  return undefined
}
