/**
 * Canonical JSON, the one implementation for every capability: object keys sorted (by UTF-16 code
 * unit) at every level and no whitespace, so the same value always gives the same text whatever
 * order its keys were built in. Security hashes and signs these bytes (identities, the audit
 * chain, PBFT messages) and the event store compares payloads with them, so the output for a
 * given value must never change.
 *
 * Defined for JSON values. Outside them it is total and plain: an `undefined` (as a value or a
 * property) is written `null`, `toJSON` is not called, a `bigint` throws like `JSON.stringify`.
 *
 * @internal
 */

/**
 * The canonical JSON text of `value`.
 *
 * @example
 * ```ts
 * canonicalJson({ b: [2, { d: 1, c: null }], a: "x" }) // '{"a":"x","b":[2,{"c":null,"d":1}]}'
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
  return `{${entries.join(",")}}`
}
