/**
 * Logs through Effect's `Logger`: one console format for the process and the minimum level from
 * `MabeamConfig` (`logLevel`); a way to log from the kernel's synchronous hooks through the
 * current fiber's loggers (so the record carries the fiber's trace); and a budget that keeps a
 * flood of routine events (dead letters) from flooding the logs.
 *
 * @since 0.1.0
 */
import { Cause, Clock, Effect, Fiber, Layer, Logger, LogLevel, References } from "effect"
import type { MabeamOptions } from "../config/index.ts"
import { MabeamConfig } from "../config/index.ts"

/**
 * Console log formats.
 *
 * @since 0.1.0
 * @category models
 */
export type LogFormat = "pretty" | "json" | "logfmt"

const loggerFor = (format: LogFormat) =>
  format === "json" ? Logger.consoleJson : format === "logfmt" ? Logger.consoleLogFmt : Logger.consolePretty()

/**
 * Replaces the loggers with one console logger in `format` and sets the minimum level.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLogger = (options: {
  readonly format: LogFormat
  readonly level: MabeamOptions["logLevel"]
}): Layer.Layer<never> =>
  Layer.mergeAll(
    Logger.layer([loggerFor(options.format)], { mergeWithExisting: false }),
    Layer.succeed(References.MinimumLogLevel, options.level)
  )

/**
 * `layerLogger` with the level taken from `MabeamConfig` at startup.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLoggerFromConfig = (format: LogFormat): Layer.Layer<never, never, MabeamConfig> =>
  Layer.unwrap(
    Effect.gen(function* () {
      const config = yield* MabeamConfig
      return layerLogger({ format, level: config.initial.logLevel })
    })
  )

/**
 * Logs `message` through the loggers of the fiber running now, at `level`, if its minimum level
 * lets it through: for synchronous callbacks the kernel calls inside a fiber (a dead letter from a
 * `tell`), so the record carries that fiber's span (its trace and span ids over OTLP) and log
 * annotations. Outside any fiber it does nothing. `cause` becomes the record's exception
 * attributes.
 *
 * @example
 * ```ts
 * declare const id: string
 * logFromCurrentFiber("Warn", `dead letter (mailbox-full) to agent "${id}"`)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const logFromCurrentFiber = (
  level: LogLevel.Severity,
  message: string,
  cause: Cause.Cause<unknown> = Cause.empty
): void => {
  const fiber = Fiber.getCurrent()
  if (fiber === undefined) return
  if (LogLevel.isGreaterThan(fiber.getRef(References.MinimumLogLevel), level)) return
  const loggers = fiber.getRef(References.CurrentLoggers)
  if (loggers.size === 0) return
  const date = new Date(fiber.getRef(Clock.Clock).currentTimeMillisUnsafe())
  for (const logger of loggers) logger.log({ cause, fiber, date, logLevel: level, message: [message] })
}

/**
 * A budget of `perSecond` log records per second of real time (default 10), for events that are
 * routine in bulk, like dead letters in a chaos run (Akka, likewise, logs only the first dead
 * letters). `take()` returns `undefined` when the next record must be dropped, else how many were
 * dropped since the last one allowed (to say so in that record).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLogBudget = (perSecond = 10) => {
  let windowStart = Number.NEGATIVE_INFINITY
  let used = 0
  let dropped = 0
  return {
    take: (): number | undefined => {
      const now = performance.now()
      if (now - windowStart >= 1_000) {
        windowStart = now
        used = 0
      }
      if (used >= perSecond) {
        dropped++
        return undefined
      }
      used++
      const before = dropped
      dropped = 0
      return before
    }
  }
}

const tagOf = (message: unknown): string => {
  const tag = typeof message === "object" && message !== null && "_tag" in message ? message._tag : undefined
  return typeof tag === "string" ? tag : typeof message
}

/**
 * The agent system's log records, each within a budget of 10 a second (see `makeLogBudget`),
 * written through the fiber the kernel calls them from (`logFromCurrentFiber`): a dead letter
 * (Warn; not the message that crashed its handler, which the restart reports) in the sender's
 * fiber, so it carries the sender's trace; a restart (Debug, with the crash's cause) in the
 * supervisor's. Restarts are Debug like the kernel's crash log: routine in bulk (chaos runs crash
 * agents on purpose), they must not flood a console at the default level. One per agent system.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeAgentLogs = () => {
  const budget = makeLogBudget()
  const suppressed = (count: number) => (count === 0 ? "" : ` (${count} similar records dropped before this one)`)
  return {
    /** A message not handled: `reason` is a `DeadLetterReason`. */
    deadLetter: (reason: string, agent: string, message: unknown): void => {
      // The message that crashed its handler is reported by the crash and the restart.
      if (reason === "handler-crashed") return
      const before = budget.take()
      if (before === undefined) return
      logFromCurrentFiber("Warn", `dead letter: ${tagOf(message)} to agent "${agent}" (${reason})${suppressed(before)}`)
    },
    /** An agent restarted by its supervisor after its previous incarnation ended with `cause`. */
    restarted: (agent: string, kind: string, restarts: number, cause: Cause.Cause<unknown>): void => {
      const before = budget.take()
      if (before === undefined) return
      logFromCurrentFiber(
        "Debug",
        `agent "${agent}" (${kind}) restarted (restart ${restarts})${suppressed(before)}`,
        cause
      )
    }
  }
}
