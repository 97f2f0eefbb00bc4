/**
 * How a run of the CLI becomes a process exit code, shared by the full CLI (`Cli.main`) and the
 * runner's own entry (`runnerCommand.runnerMain`, which loads nothing else so a runner starts fast).
 *
 * @since 0.4.0
 */
import { Cause, Console, Effect, Runtime } from "effect"
import { CliError } from "effect/cli"

/**
 * Succeeds with the exit code of `run` instead of failing. Errors the CLI has already shown
 * (usage errors, the CLI's own errors) are not printed again; anything else is printed in full.
 *
 * @since 0.1.0
 * @category utils
 */
export const withExitCode = <R>(run: Effect.Effect<void, unknown, R>): Effect.Effect<number, never, R> =>
  run.pipe(
    Effect.as(0),
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.succeed(130)
      const error = Cause.squash(cause)
      if (CliError.isCliError(error) && error._tag === "ShowHelp")
        return Effect.succeed(error.errors.length === 0 ? 0 : 2)
      if (typeof error === "object" && error !== null && CliError.getUserMessage(error) !== undefined) {
        return Effect.succeed(Runtime.getErrorExitCode(error))
      }
      return Effect.as(Console.error(Cause.pretty(cause)), 1)
    })
  )
