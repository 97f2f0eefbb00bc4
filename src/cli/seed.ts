/**
 * Seeds on the command line: any string or number, with one default shared by `mabeam` and
 * `npm start`. `--seed 7` and `--seed mabeam` are both valid; an integer stays a number (so the
 * runs of numeric seeds are unchanged), anything else is used as a string.
 *
 * @since 0.2.0
 */

/**
 * A seed: what `Random.withSeed` accepts.
 *
 * @since 0.1.0
 * @category models
 */
export type Seed = number | string

/**
 * The seed when none is given, everywhere (`mabeam run`, `npm start`).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_SEED: Seed = "mabeam"

/**
 * Reads a `--seed` value: an integer text is that number, any other non-blank text itself.
 *
 * @since 0.1.0
 * @category utils
 */
export const parseSeed = (raw: string): Seed | undefined => {
  const text = raw.trim()
  if (text === "") return undefined
  const number = Number(text)
  return /^-?\d+$/.test(text) && Number.isSafeInteger(number) ? number : text
}

/**
 * A seed as an integer, for what counts seeds (consecutive runs of `chaos --rounds`): a number is
 * itself, a string its FNV-1a hash (31 bits, stable across runs and machines).
 *
 * @since 0.1.0
 * @category utils
 */
export const seedNumber = (seed: Seed): number => {
  if (typeof seed === "number") return seed
  let hash = 0x811c9dc5
  for (const char of seed) {
    hash ^= char.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash & 0x7fffffff
}
