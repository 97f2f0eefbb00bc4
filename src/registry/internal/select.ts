/** The meaning of a selector, shared by the backends that evaluate it in JavaScript. */
import type { Metadata, MetadataScalar, Selector } from "../schema.ts"

/**
 * A scalar field matches when equal to `value`; a list field when it contains it.
 *
 * @since 0.1.0
 * @category utils
 */
export const matchesField = (metadata: Metadata, field: string, value: MetadataScalar): boolean => {
  const actual = metadata[field]
  if (actual === undefined) return false
  if (Array.isArray(actual)) return typeof value === "string" && actual.includes(value)
  return actual === value
}

/**
 * Whether `metadata` passes every field test of `selector`.
 *
 * @since 0.1.0
 * @category utils
 */
export const matchesSelector = (metadata: Metadata, selector: Selector): boolean => {
  for (const field in selector) {
    const value = selector[field]
    if (value === undefined || !matchesField(metadata, field, value)) return false
  }
  return true
}
