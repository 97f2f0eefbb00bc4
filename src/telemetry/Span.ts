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

/**
 * Wraps the named operations of a plain service object in spans `mabeam.<capability>.<operation>`:
 * a function returning an Effect has its Effect wrapped, an Effect-valued field is wrapped as is;
 * other fields are left alone. For the one-line wrap at a service's construction, so a
 * capability's public operations show in traces without touching their logic.
 *
 * @example
 * ```ts
 * Layer.effect(Ledger, make.pipe(Effect.map(traced("ledger", ["transfer", "hold", "capture"]))))
 * ```
 */
export const traced = <S extends object>(capability: string, operations: ReadonlyArray<keyof S & string>) =>
(service: S): S => {
  const source = service as Record<string, unknown>
  const wrapped: Record<string, unknown> = { ...source }
  for (const operation of operations) {
    const name = `mabeam.${capability}.${operation}`
    const value = source[operation]
    if (typeof value === "function") {
      wrapped[operation] = (...args: ReadonlyArray<unknown>) => {
        const result: unknown = value.apply(service, args)
        return Effect.isEffect(result) ? Effect.withSpan(result, name, { captureStackTrace: false }) : result
      }
    } else if (Effect.isEffect(value)) {
      wrapped[operation] = Effect.withSpan(value, name, { captureStackTrace: false })
    }
  }
  return wrapped as S
}
