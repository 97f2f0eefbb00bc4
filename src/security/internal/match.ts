/**
 * Capability matching: a granted pattern covers a capability when their segments are equal, or
 * when the pattern ends in `*` and its other segments are a prefix of the capability's.
 *
 * @internal
 */

/**
 * Whether `pattern` covers `capability` (both may be patterns: `a:*` covers `a:b:*`).
 *
 * @since 0.1.0
 * @category utils
 */
export const covers = (pattern: string, capability: string): boolean => {
  if (pattern === "*") return true
  if (pattern.endsWith(":*")) {
    const prefix = pattern.slice(0, -1)
    return capability.startsWith(prefix) && capability.length > prefix.length
  }
  return pattern === capability
}
