/**
 * The error shared by every public boundary (`mabeam/errors`): `InvalidInput`, returned for bad
 * input before any state changes. Capability errors live in their own folders.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 *
 * ledger.mint({ account: "alice", amount: -1n }).pipe(
 *   Effect.catchTag("InvalidInput", (error) => Effect.logWarning(error.message)))
 * ```
 *
 * @since 0.1.0
 */
export { decodeInput, InvalidInput } from "./InvalidInput.ts"
export { invariant, InvariantViolation } from "./Invariant.ts"
