/**
 * Canonical JSON: object keys sorted at every level, so the same value always gives the same bytes
 * to hash or sign, whatever order its keys were built in.
 *
 * @internal
 */

/** The canonical JSON text of a JSON value. */
export const canonical = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`
  const entries = Object.keys(value).sort().map((key) =>
    `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`
  )
  return `{${entries.join(",")}}`
}
