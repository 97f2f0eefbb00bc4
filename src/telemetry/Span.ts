/**
 * Spans at service boundaries: one naming rule (`mabeam.<capability>.<operation>`) and attributes
 * prefixed `mabeam.`, so traces from every capability read the same in a collector.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"

/**
 * Wraps a service operation in a span named `mabeam.<capability>.<operation>`; attribute keys get
 * the `mabeam.` prefix.
 *
 * @example
 * ```ts
 * append(event).pipe(boundary("events", "append", { type: event.type }))
 * ```
 */
export const boundary = (
  capability: string,
  operation: string,
  attributes: Record<string, string | number | boolean> = {}
) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withSpan(effect, `mabeam.${capability}.${operation}`, {
    captureStackTrace: false,
    attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`mabeam.${k}`, v]))
  })
