/**
 * `mabeam runner`: runs one runner of a cluster until SIGTERM or SIGINT, then drains it and exits 0
 * (see `Runner.run` in `mabeam/runner`). Every setting is a flag or a `MABEAM_*` variable
 * (`RunnerConfig.SETTINGS`); a wrong one exits 2 with every bad value named; a runner that cannot
 * start exits 1; a drain over `--drain-timeout` exits 1.
 *
 * @since 0.4.0
 */
import { Context, Duration, Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { Runner, RunnerConfig } from "../runner/index.ts"
import { RunnerFailed, USAGE } from "./errors.ts"
import { withExitCode } from "./exitCode.ts"

/**
 * Completes, with the signal's name, when the runner must drain. `main.ts` completes it on SIGTERM
 * and SIGINT; the default never completes (a runner run in-process stops when interrupted).
 *
 * @since 0.1.0
 * @category utils
 */
export const ShutdownSignal = Context.Reference<Effect.Effect<string>>("mabeam/cli/ShutdownSignal", {
  defaultValue: () => Effect.never
})

/**
 * Called when a drain starts, with its deadline in milliseconds: `main.ts` arms a guard there that
 * ends the process with code 1 if it is still running shortly after the deadline (a finalizer
 * that never returns cannot hold a stopping runner forever).
 *
 * @since 0.1.0
 * @category utils
 */
export const DrainGuard = Context.Reference<(deadlineMillis: number) => void>("mabeam/cli/DrainGuard", {
  defaultValue: () => () => {}
})

const flags = Object.fromEntries(
  RunnerConfig.SETTINGS.map((s) => [
    s.key,
    Flag.String(s.flag).pipe(
      Flag.withDescription(`${s.description}${s.default === undefined ? "" : ` (default ${s.default})`}; env ${s.env}`),
      Flag.optional
    )
  ])
) as Record<string, Flag.Flag<Option.Option<string>>>

/**
 * The `runner` subcommand.
 *
 * @since 0.1.0
 * @category utils
 */
export const runner = Command.make("runner", flags, (input) =>
  Effect.gen(function* () {
    const given = Object.fromEntries(Object.entries(input).map(([key, value]) => [key, Option.getOrUndefined(value)]))
    const settings = yield* RunnerConfig.fromSources(given, process.env).pipe(
      Effect.mapError((error) => new RunnerFailed({ reason: error.message, code: USAGE }))
    )
    const signal = yield* ShutdownSignal
    const guard = yield* DrainGuard
    yield* Runner.run(settings, {
      shutdown: signal.pipe(
        Effect.tap((name) =>
          Effect.sync(() => guard(Duration.toMillis(settings.drainTimeout))).pipe(
            Effect.andThen(Effect.logInfo(`${name} received`))
          )
        )
      )
    }).pipe(Effect.mapError((error) => new RunnerFailed({ reason: error.message, code: 1 })))
  })
).pipe(
  Command.withDescription(
    "Run one runner of a cluster as a long-lived process: it hosts the ClusterAgents of --agents, serves /healthz, /readyz " +
      "and /metrics on --health, and drains on SIGTERM (exit 0). Every flag can be given as its MABEAM_* variable."
  ),
  Command.withExamples([
    {
      command:
        "mabeam runner --storage /var/lib/mabeam/cluster.sqlite --agents ./agents.js --listen 127.0.0.1:34431 --health 127.0.0.1:9464",
      description: "one runner of a cluster on this machine (SQLite)"
    },
    {
      command:
        "MABEAM_STORAGE=postgres://mabeam@db:5432/mabeam MABEAM_LISTEN=0.0.0.0:34431 MABEAM_ADVERTISE=10.0.0.5:34431 mabeam runner --agents ./agents.js",
      description: "one runner of a cluster across machines (Postgres), from the environment"
    }
  ])
)

/**
 * `mabeam runner ARGS` on its own: the root command with only `runner`, so a runner process loads
 * the runner and nothing of the scenarios, the dashboard or the apps. Returns the exit code.
 *
 * @since 0.1.0
 * @category utils
 */
export const runnerMain = (argv: ReadonlyArray<string>, version: string) =>
  withExitCode(Command.runWith(Command.make("mabeam").pipe(Command.withSubcommands([runner])), { version })(argv))
