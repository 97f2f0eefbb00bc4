/**
 * Canonical JSON (sorted object keys) so two payloads compare equal regardless of key order.
 *
 * @internal
 */
import type { Schema } from "effect"

/** The canonical JSON text of `value`. */
export const canonical = (value: Schema.Json): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
      : v)

/** The content that decides whether a duplicate append is identical. */
export const contentOf = (event: { readonly type: string; readonly correlationId?: string; readonly payload: Schema.Json }) =>
  canonical({ type: event.type, correlationId: event.correlationId ?? null, payload: event.payload })
