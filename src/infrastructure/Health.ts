/**
 * Health checks: components report (push) or are checked (pull); the aggregate is the worst
 * component status, with one reason per component that is not healthy.
 *
 * @since 0.1.0
 */
import { Cause, Context, Effect, Exit, Layer, Schema, type Scope } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { healthStatus, setGauge } from "../telemetry/Metrics.ts"
import { ComponentExists, LimitReached } from "./InfrastructureError.ts"
import { Name } from "./schema.ts"

/**
 * A component's or the system's health.
 *
 * @since 0.1.0
 * @category schemas
 */
export const HealthStatus = Schema.Literals(["healthy", "degraded", "unhealthy"])

/**
 * A health status.
 *
 * @since 0.1.0
 * @category models
 */
export type HealthStatus = typeof HealthStatus.Type

/**
 * What a component says about itself; `reason` explains anything but healthy.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ComponentStatus = Schema.Struct({
  status: HealthStatus,
  reason: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(1_000)))
})

/**
 * A component status.
 *
 * @since 0.1.0
 * @category models
 */
export type ComponentStatus = typeof ComponentStatus.Type

/**
 * One component in a report.
 *
 * @since 0.1.0
 * @category models
 */
export interface ComponentHealth extends ComponentStatus {
  readonly name: string
}

/**
 * The aggregate: `status` is the worst component status (healthy when there are none).
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthReport {
  readonly status: HealthStatus
  readonly components: ReadonlyArray<ComponentHealth>
  /** `"name: reason"` for each component that is not healthy. */
  readonly reasons: ReadonlyArray<string>
}

/**
 * Options of `Health.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthOptions {
  /** A pull check that takes longer counts as unhealthy. Default 5 000 ms. */
  readonly checkTimeoutMillis?: number
  /** Most components at once; more fail with `LimitReached`. Default 1 024. */
  readonly maxComponents?: number
}

/** The Schema of `HealthOptions`: whole numbers ≥ 1 (a timeout in ms, a component bound). */
const HealthOptionsSchema = Schema.Struct({
  checkTimeoutMillis: Schema.optional(Schema.Int.check(Schema.isGreaterThan(0))),
  maxComponents: Schema.optional(Schema.Int.check(Schema.isGreaterThan(0)))
})
const decodeOptions = decodeInput(HealthOptionsSchema, "Health.layerWith")

const rank: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 }

/**
 * The aggregate of `components`.
 *
 * @since 0.1.0
 * @category utils
 */
export const aggregate = (components: ReadonlyArray<ComponentHealth>): HealthReport => {
  const status = components.reduce<HealthStatus>(
    (worst, c) => (rank[c.status] > rank[worst] ? c.status : worst),
    "healthy"
  )
  const reasons = components.filter((c) => c.status !== "healthy").map((c) => `${c.name}: ${c.reason ?? c.status}`)
  return { status, components, reasons }
}

const decodeRegister = decodeInput(Name, "Health.register")
const decodeReport = decodeInput(Schema.Struct({ name: Name, status: ComponentStatus }), "Health.report")

type Entry =
  | { readonly _tag: "Pull"; readonly check: Effect.Effect<ComponentStatus, unknown> }
  | { readonly _tag: "Push"; readonly status: ComponentStatus }

const makeHealth = (raw: HealthOptions) =>
  Effect.map(decodeOptions(raw), (options) => {
    const timeout = options.checkTimeoutMillis ?? 5_000
    const limit = options.maxComponents ?? 1_024
    const entries = new Map<string, Entry>()
    const admit = (name: string): Effect.Effect<void, LimitReached> =>
      entries.has(name) || entries.size < limit
        ? Effect.void
        : Effect.fail(new LimitReached({ registry: "Health", name, limit }))

    const runCheck = (name: string, entry: Entry): Effect.Effect<ComponentHealth> => {
      if (entry._tag === "Push") return Effect.succeed({ name, ...entry.status })
      return entry.check.pipe(
        Effect.timeoutOrElse({
          duration: timeout,
          orElse: () =>
            Effect.succeed<ComponentStatus>({ status: "unhealthy", reason: `check timed out after ${timeout} ms` })
        }),
        Effect.exit,
        Effect.map(
          (exit): ComponentHealth =>
            Exit.isSuccess(exit)
              ? { name, ...exit.value }
              : { name, status: "unhealthy", reason: `check failed: ${Cause.pretty(exit.cause).split("\n")[0] ?? ""}` }
        )
      )
    }

    return Health.of({
      register: (name, check) =>
        Effect.gen(function* () {
          const valid = yield* decodeRegister(name)
          if (entries.has(valid)) return yield* new ComponentExists({ name: valid })
          yield* admit(valid)
          yield* Effect.acquireRelease(
            Effect.sync(() => entries.set(valid, { _tag: "Pull", check })),
            () => Effect.sync(() => entries.delete(valid))
          )
        }),
      report: (name, status) =>
        Effect.gen(function* () {
          const valid = yield* decodeReport({ name, status })
          const existing = entries.get(valid.name)
          if (existing?._tag === "Pull") return yield* new ComponentExists({ name: valid.name })
          yield* admit(valid.name)
          entries.set(valid.name, { _tag: "Push", status: valid.status })
        }),
      remove: (name) => Effect.sync(() => void entries.delete(name)),
      check: Effect.suspend(() =>
        Effect.forEach([...entries], ([name, entry]) => runCheck(name, entry), { concurrency: limit })
      ).pipe(
        Effect.map(aggregate),
        Effect.tap((report) => setGauge(healthStatus, rank[report.status])),
        Effect.withSpan("mabeam.health.check")
      )
    })
  })

/**
 * Component health and its aggregate.
 *
 * @since 0.1.0
 * @category services
 */
export class Health extends Context.Service<
  Health,
  {
    /**
     * Adds a pull component whose `check` runs on every `Health.check`, until the current scope
     * closes. A failing, dying or slow check makes the component unhealthy with the reason.
     */
    readonly register: (
      name: string,
      check: Effect.Effect<ComponentStatus, unknown>
    ) => Effect.Effect<void, InvalidInput | ComponentExists | LimitReached, Scope.Scope>
    /**
     * Sets the status of a push component (added on first report).
     *
     * @example
     * ```ts
     * const health = yield* Health
     * yield* health.report("event-store", { status: "degraded", reason: "retention at 95%" })
     * ```
     */
    readonly report: (
      name: string,
      status: ComponentStatus
    ) => Effect.Effect<void, InvalidInput | ComponentExists | LimitReached>
    /** Removes a push component (pull components go with their scope). */
    readonly remove: (name: string) => Effect.Effect<void>
    /** Checks every component and aggregates: healthy, degraded or unhealthy with reasons. */
    readonly check: Effect.Effect<HealthReport>
  }
>()("mabeam/Health") {
  /**
   * Health with the given timeout and limit; an option that is not a whole number ≥ 1 fails the
   * layer with `InvalidInput` naming the field.
   */
  static readonly layerWith = (options: HealthOptions): Layer.Layer<Health, InvalidInput> =>
    Layer.effect(Health, makeHealth(options))
  /** Health with a 5 s check timeout and at most 1 024 components. */
  static readonly layer: Layer.Layer<Health> = Layer.orDie(Health.layerWith({}))
}
