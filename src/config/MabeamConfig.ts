/**
 * The `MabeamConfig` service: the options loaded at startup plus the runtime-changeable settings
 * (`logLevel`, `limiter`, `breaker`), with subscribers notified of every accepted update.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, PubSub, Ref, Semaphore, Stream } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import type { InvalidConfig } from "./ConfigError.ts"
import { type ConfigSources, loadOptions } from "./load.ts"
import { type MabeamOptions, SettingsPatch } from "./schema.ts"

/**
 * How many unread updates a slow subscriber may lag behind. Policy when full: drop the oldest
 * (a subscriber always ends up with the newest options, which is all settings need).
 *
 * @since 0.1.0
 * @category constants
 */
export const CHANGES_BUFFER = 16

const decodePatch = decodeInput(SettingsPatch, "MabeamConfig.update")

const applyPatch = (options: MabeamOptions, patch: SettingsPatch): MabeamOptions => ({
  ...options,
  ...(patch.logLevel === undefined ? {} : { logLevel: patch.logLevel }),
  limiter: { ...options.limiter, ...patch.limiter },
  breaker: { ...options.breaker, ...patch.breaker }
})

/**
 * Builds a `MabeamConfig` holding `initial`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMabeamConfig = (initial: MabeamOptions) =>
  Effect.gen(function* () {
    const ref = yield* Ref.make(initial)
    const lock = yield* Semaphore.make(1)
    const pubsub = yield* PubSub.sliding<MabeamOptions>({ capacity: CHANGES_BUFFER, replay: 1 })
    yield* PubSub.publish(pubsub, initial)
    yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))
    return MabeamConfig.of({
      initial,
      current: Ref.get(ref),
      update: (input) =>
        decodePatch(input).pipe(
          Effect.flatMap((patch) =>
            lock.withPermit(
              Ref.updateAndGet(ref, (options) => applyPatch(options, patch)).pipe(
                Effect.tap((next) => PubSub.publish(pubsub, next))
              )
            )
          )
        ),
      changes: Stream.fromPubSub(pubsub)
    })
  })

/**
 * mabeam's configuration.
 *
 * @since 0.1.0
 * @category services
 */
export class MabeamConfig extends Context.Service<
  MabeamConfig,
  {
    /** The options as loaded at startup (static settings are read from here). */
    readonly initial: MabeamOptions
    /** The options now, including accepted runtime updates. */
    readonly current: Effect.Effect<MabeamOptions>
    /**
     * Changes `logLevel`, `limiter` or `breaker` at runtime. An invalid patch fails with
     * `InvalidInput` and the current options are kept.
     */
    readonly update: (patch: unknown) => Effect.Effect<MabeamOptions, InvalidInput>
    /** The current options, then each accepted update (a lagging subscriber skips to the newest). */
    readonly changes: Stream.Stream<MabeamOptions>
  }
>()("mabeam/MabeamConfig") {
  /**
   * Loads from code, `MABEAM_*` env vars and an optional JSON file; fails the startup with
   * `InvalidConfig` naming each bad key, its value and what was expected.
   *
   * @example
   * ```ts
   * MabeamConfig.layerWith({ file: "mabeam.json", values: { limiter: { capacity: 10 } } })
   * ```
   */
  static readonly layerWith = (sources: ConfigSources): Layer.Layer<MabeamConfig, InvalidConfig> =>
    Layer.effect(MabeamConfig, loadOptions(sources).pipe(Effect.flatMap(makeMabeamConfig)))

  /** Loads from the ambient `ConfigProvider` (the process env) and `MABEAM_CONFIG_FILE`. */
  static readonly layer: Layer.Layer<MabeamConfig, InvalidConfig> = MabeamConfig.layerWith({})

  /** Uses already-decoded options (tests, embedding). */
  static readonly layerOptions = (options: MabeamOptions): Layer.Layer<MabeamConfig> =>
    Layer.effect(MabeamConfig, makeMabeamConfig(options))
}
