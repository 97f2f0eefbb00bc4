/**
 * Spans at service boundaries: one naming rule (`mabeam.<capability>.<operation>`) and attributes
 * prefixed `mabeam.`, so traces from every capability read the same in a collector.
 *
 * @since 0.1.0
 */
import { Context, Effect, Tracer } from "effect"

/**
 * Wraps a service operation in a span named `mabeam.<capability>.<operation>`; attribute keys get
 * the `mabeam.` prefix.
 *
 * @example
 * ```ts
 * declare const event: { readonly type: string }
 * declare const append: (event: { readonly type: string }) => Effect.Effect<void>
 * append(event).pipe(boundary("events", "append", { type: event.type }))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const boundary =
  (capability: string, operation: string, attributes: Record<string, string | number | boolean> = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withSpan(effect, `mabeam.${capability}.${operation}`, {
      captureStackTrace: false,
      attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [`mabeam.${k}`, v]))
    })

/**
 * What a span attribute may hold.
 *
 * @since 0.1.0
 * @category models
 */
export type AttributeValue = string | number | boolean

/**
 * Options of `traced`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TracedOptions<S> {
  /** Attributes on every span of the service (keys as given, e.g. `mabeam.auction.house`). */
  readonly attributes?: Record<string, AttributeValue>
  /** Attributes of one call, from the operation's name and arguments (e.g. the auction id). */
  readonly describe?: (operation: keyof S & string, args: ReadonlyArray<unknown>) => Record<string, AttributeValue>
  /**
   * Open a span only when the caller is already inside a sampled span (default `false`: always).
   * A service called outside any trace then pays one context read per call and adds no
   * one-span traces to the backend; inside a trace its spans join the caller's.
   */
  readonly withinTrace?: boolean
}

/**
 * The string field `key` of the first argument of an operation, if it has one: for `describe`
 * functions over input objects (`{ auction: "a-1", ... }`) and plain string arguments alike.
 *
 * @since 0.1.0
 * @category utils
 */
export const argument = (args: ReadonlyArray<unknown>, key: string): string | undefined => {
  const first = args[0]
  if (typeof first === "string") return first
  if (typeof first !== "object" || first === null || !(key in first)) return undefined
  const value: unknown = (first as Record<string, unknown>)[key]
  return typeof value === "string" ? value : undefined
}

const insideSampledSpan = (context: Context.Context<never>): boolean =>
  Context.getOrUndefined(context, Tracer.ParentSpan)?.sampled === true

/**
 * Runs `effect` in a span `name` when the caller is inside a sampled span, else as is: for a step
 * a service runs on its own (an auction closing at its deadline, a settlement) that should show
 * in the trace that started it without adding one-span traces when nothing is traced.
 *
 * @example
 * ```ts
 * declare const entry: { readonly id: string }
 * declare const settle: (entry: { readonly id: string }) => Effect.Effect<void>
 * settle(entry).pipe(childSpan("mabeam.auction.settle", { "mabeam.auction.id": entry.id }))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const childSpan =
  (name: string, attributes: Record<string, AttributeValue> = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withFiber((fiber) =>
      insideSampledSpan(fiber.context)
        ? Effect.withSpan(effect, name, { captureStackTrace: false, attributes })
        : effect
    )

/**
 * Wraps the named operations of a plain service object in spans `mabeam.<capability>.<operation>`:
 * a function returning an Effect has its Effect wrapped, an Effect-valued field is wrapped as is;
 * other fields are left alone. For the one-line wrap at a service's construction, so a
 * capability's public operations show in traces without touching their logic. A failed
 * operation ends its span as a failure (exported with `error.type` by the OTel tracer).
 *
 * @example
 * ```ts
 * declare const make: Effect.Effect<{ readonly transfer: (amount: bigint) => Effect.Effect<void> }>
 * const tracedLedger = make.pipe(Effect.map(traced("ledger", ["transfer"])))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const traced =
  <S extends object>(capability: string, operations: ReadonlyArray<keyof S & string>, options: TracedOptions<S> = {}) =>
  (service: S): S => {
    const source = service as Record<string, unknown>
    const wrapped: Record<string, unknown> = { ...source }
    const fixed = options.attributes ?? {}
    const describe = options.describe
    const span = <A, E, R>(
      operation: keyof S & string,
      effect: Effect.Effect<A, E, R>,
      args: ReadonlyArray<unknown>
    ) => {
      const name = `mabeam.${capability}.${operation}`
      const open = () =>
        Effect.withSpan(effect, name, {
          captureStackTrace: false,
          attributes: describe === undefined ? fixed : { ...fixed, ...describe(operation, args) }
        })
      return options.withinTrace === true
        ? Effect.withFiber((fiber) => (insideSampledSpan(fiber.context) ? open() : effect))
        : open()
    }
    for (const operation of operations) {
      const value = source[operation]
      if (typeof value === "function") {
        wrapped[operation] = (...args: ReadonlyArray<unknown>) => {
          const result: unknown = value.apply(service, args)
          return Effect.isEffect(result) ? span(operation, result, args) : result
        }
      } else if (Effect.isEffect(value)) {
        wrapped[operation] = span(operation, value, [])
      }
    }
    return wrapped as S
  }

/**
 * Runs `effect` in a span `name` when a tracer is installed (an exporter, a test's recording
 * tracer), else as is: for work no request starts (a cluster agent's activation, a Raft commit),
 * where a span would otherwise be paid for on every occurrence with nothing to receive it. `root`
 * starts a new trace instead of joining the fiber's current span.
 *
 * @example
 * ```ts
 * declare const load: Effect.Effect<void>
 * load.pipe(whenTracing("mabeam.cluster.activate", { "mabeam.agent.id": "a-1" }, { root: true }))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const whenTracing =
  (name: string, attributes: Record<string, AttributeValue> = {}, options: { readonly root?: boolean } = {}) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withFiber((fiber) =>
      fiber.cache.tracer === undefined || !fiber.cache.tracerEnabled
        ? effect
        : Effect.withSpan(effect, name, { captureStackTrace: false, attributes, root: options.root === true })
    )
