/**
 * The one Schema for every mabeam option. Every field has a default, so an empty source yields a
 * working configuration; durations are integer milliseconds so they read the same from env vars,
 * a JSON file and code.
 *
 * @since 0.1.0
 */
import { Effect, Schema, SchemaGetter } from "effect"

const withDefault = <S extends Schema.Top>(value: S["Encoded"]) =>
  Schema.withDecodingDefaultKey<S>(Effect.succeed(value))

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const PositiveNumber = Schema.Finite.check(Schema.isGreaterThan(0))

const LOG_LEVELS = ["All", "Trace", "Debug", "Info", "Warn", "Error", "Fatal", "None"] as const

/**
 * Log levels accepted by `logLevel`: Effect's own level names, in any case (`debug`, `DEBUG` and
 * `Debug` are the same, as for `--log-level debug`); decoded to Effect's spelling.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LogLevelOption = Schema.String.pipe(
  Schema.decodeTo(Schema.String, {
    decode: SchemaGetter.transform(
      (text: string) => LOG_LEVELS.find((level) => level.toLowerCase() === text.trim().toLowerCase()) ?? text
    ),
    encode: SchemaGetter.passthrough()
  }),
  Schema.decodeTo(Schema.Literals(LOG_LEVELS), {
    decode: SchemaGetter.passthroughSupertype(),
    encode: SchemaGetter.passthroughSubtype()
  })
)

/**
 * Token-bucket defaults for `RateLimiter`; changeable at runtime.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LimiterOptions = Schema.Struct({
  capacity: PositiveInt.pipe(withDefault(100)),
  refillPerSecond: PositiveNumber.pipe(withDefault(50))
})

/**
 * Circuit-breaker defaults; changeable at runtime. `failureRate` 1 disables the rate rule.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BreakerOptions = Schema.Struct({
  failureThreshold: PositiveInt.pipe(withDefault(5)),
  failureRate: PositiveNumber.check(Schema.isLessThanOrEqualTo(1)).pipe(withDefault(1)),
  windowSize: PositiveInt.pipe(withDefault(20)),
  resetTimeoutMillis: PositiveInt.pipe(withDefault(30_000)),
  halfOpenTrials: PositiveInt.pipe(withDefault(1))
})

/**
 * Event store options: backend, SQLite file, retention (`maxAgeMillis` 0 = no age limit).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventsOptions = Schema.Struct({
  backend: Schema.Literals(["memory", "sqlite"]).pipe(withDefault("memory")),
  file: Schema.NonEmptyString.pipe(withDefault("mabeam-events.db")),
  maxCount: PositiveInt.pipe(withDefault(100_000)),
  maxAgeMillis: NonNegativeInt.pipe(withDefault(0))
})

/**
 * Telemetry options. The OTLP endpoint itself comes from `OTEL_EXPORTER_OTLP_ENDPOINT` (and the
 * encoding from `OTEL_EXPORTER_OTLP_PROTOCOL`). `exportTimeoutMillis` bounds one export with its
 * retries, `shutdownTimeoutMillis` the final flush (real time); `prometheusPort` > 0 serves
 * `/metrics` on 127.0.0.1.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TelemetryOptions = Schema.Struct({
  serviceName: Schema.NonEmptyString.pipe(withDefault("mabeam")),
  exportIntervalMillis: PositiveInt.pipe(withDefault(2_000)),
  exportTimeoutMillis: PositiveInt.pipe(withDefault(2_000)),
  shutdownTimeoutMillis: PositiveInt.pipe(withDefault(1_000)),
  prometheusPort: NonNegativeInt.check(Schema.isLessThanOrEqualTo(65_535)).pipe(withDefault(0))
})

/**
 * Resource-pool defaults.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PoolOptions = Schema.Struct({
  size: PositiveInt.pipe(withDefault(10)),
  acquireTimeoutMillis: PositiveInt.pipe(withDefault(5_000))
})

/**
 * Mailbox defaults for agents.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MailboxOptions = Schema.Struct({
  capacity: PositiveInt.pipe(withDefault(1_024))
})

/**
 * All mabeam options. Group names are single words so that env vars map one to one:
 * `limiter.refillPerSecond` is `MABEAM_LIMITER_REFILL_PER_SECOND`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MabeamOptions = Schema.Struct({
  nodeName: Schema.NonEmptyString.pipe(withDefault("mabeam")),
  logLevel: LogLevelOption.pipe(withDefault("Info")),
  limiter: LimiterOptions.pipe(withDefault({})),
  breaker: BreakerOptions.pipe(withDefault({})),
  events: EventsOptions.pipe(withDefault({})),
  telemetry: TelemetryOptions.pipe(withDefault({})),
  pool: PoolOptions.pipe(withDefault({})),
  mailbox: MailboxOptions.pipe(withDefault({}))
})

/**
 * The decoded options, every field present.
 *
 * @since 0.1.0
 * @category models
 */
export type MabeamOptions = typeof MabeamOptions.Type

/**
 * What a caller may write in code or a JSON file: every field optional.
 *
 * @since 0.1.0
 * @category models
 */
export type MabeamOptionsInput = typeof MabeamOptions.Encoded

/**
 * A runtime update: only `logLevel`, `limiter` and `breaker` may change while running; each given
 * field replaces the current one, the rest is kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SettingsPatch = Schema.Struct({
  logLevel: Schema.optionalKey(LogLevelOption),
  limiter: Schema.optionalKey(
    Schema.Struct({
      capacity: Schema.optionalKey(PositiveInt),
      refillPerSecond: Schema.optionalKey(PositiveNumber)
    })
  ),
  breaker: Schema.optionalKey(
    Schema.Struct({
      failureThreshold: Schema.optionalKey(PositiveInt),
      failureRate: Schema.optionalKey(PositiveNumber.check(Schema.isLessThanOrEqualTo(1))),
      windowSize: Schema.optionalKey(PositiveInt),
      resetTimeoutMillis: Schema.optionalKey(PositiveInt),
      halfOpenTrials: Schema.optionalKey(PositiveInt)
    })
  )
}).check(
  Schema.makeFilter((patch) =>
    Object.keys(patch).length > 0 ? undefined : "a patch with at least one of logLevel, limiter, breaker"
  )
)

/**
 * A decoded runtime update.
 *
 * @since 0.1.0
 * @category models
 */
export type SettingsPatch = typeof SettingsPatch.Type
