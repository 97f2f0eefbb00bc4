/**
 * Logs through Effect's `Logger`: one console format for the process and the minimum level from
 * `MabeamConfig` (`logLevel`).
 *
 * @since 0.1.0
 */
import { Effect, Layer, Logger, References } from "effect"
import type { MabeamOptions } from "../config/index.ts"
import { MabeamConfig } from "../config/index.ts"

/** Console log formats. */
export type LogFormat = "pretty" | "json" | "logfmt"

const loggerFor = (format: LogFormat) =>
  format === "json" ? Logger.consoleJson : format === "logfmt" ? Logger.consoleLogFmt : Logger.consolePretty()

/** Replaces the loggers with one console logger in `format` and sets the minimum level. */
export const layerLogger = (options: {
  readonly format: LogFormat
  readonly level: MabeamOptions["logLevel"]
}): Layer.Layer<never> =>
  Layer.mergeAll(
    Logger.layer([loggerFor(options.format)], { mergeWithExisting: false }),
    Layer.succeed(References.MinimumLogLevel, options.level)
  )

/** `layerLogger` with the level taken from `MabeamConfig` at startup. */
export const layerLoggerFromConfig = (format: LogFormat): Layer.Layer<never, never, MabeamConfig> =>
  Layer.unwrap(Effect.gen(function*() {
    const config = yield* MabeamConfig
    return layerLogger({ format, level: config.initial.logLevel })
  }))
