/**
 * Runs one scenario the way every CLI command needs it: inside `Mabeam.layer` (with OTLP export
 * when asked), with a seeded `Random`, a `Probe`, and optionally the dashboard and a final
 * inspection snapshot. Output goes through `Console`, so tests can capture it.
 *
 * @since 0.1.0
 */
import { ConfigProvider, Console, Effect, Layer, Random } from "effect"
import * as Dashboard from "../dashboard/index.ts"
import { Mabeam } from "../runtime/index.ts"
import { OTLP_ENDPOINT_ENV } from "../telemetry/index.ts"
import { InvalidOption, NotAvailable, ScenarioFailed, UnknownScenario } from "./errors.ts"
import { type Scenario, type ScenarioOptions, scenarios } from "./scenarios/index.ts"
import type { Seed } from "./seed.ts"

/**
 * How to run a scenario.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunScenarioOptions extends ScenarioOptions {
  /** Export traces, metrics and logs to this OTLP/HTTP endpoint (wins over the env var). */
  readonly otlp?: string | undefined
  /** Serve the dashboard on this port (0 = any free port); `undefined` = no dashboard. */
  readonly dashboardPort?: number | undefined
  /** With the dashboard: time between two streamed snapshots (default 250 ms). */
  readonly intervalMillis?: number | undefined
  /** With the dashboard: keep serving after the scenario ends, until interrupted (Ctrl+C). */
  readonly hold?: boolean
  /** Print the supervision tree, registry and ledger as they are when the scenario ends. */
  readonly inspect?: boolean
  /** Called with the dashboard once it listens (tests use it to connect). */
  readonly onDashboard?: ((dashboard: Dashboard.RunningDashboard) => Effect.Effect<void>) | undefined
}

/**
 * Finds a scenario by name, or fails with `UnknownScenario` listing the known ones.
 *
 * @since 0.1.0
 * @category utils
 */
export const findScenario = (name: string): Effect.Effect<Scenario, UnknownScenario> => {
  const scenario = scenarios.get(name)
  return scenario === undefined
    ? Effect.fail(new UnknownScenario({ scenario: name, known: [...scenarios.keys()] }))
    : Effect.succeed(scenario)
}

const describeFailure = (error: unknown): string =>
  error instanceof Error
    ? error.message
    : typeof error === "object" && error !== null && "_tag" in error
      ? String(error._tag)
      : String(error)

// A failure may name the seed that broke (chaos with --rounds runs several): replay that one.
const failedSeed = (error: unknown, fallback: Seed): Seed =>
  typeof error === "object" && error !== null && "seed" in error && typeof error.seed === "number"
    ? error.seed
    : fallback

const mabeamLayer = (otlp: string | undefined) => {
  if (otlp === undefined) return Mabeam.layer()
  // Telemetry reads the endpoint from the ambient config: put the flag in front of the env.
  const provider = ConfigProvider.fromEnvRecord({ ...process.env, [OTLP_ENDPOINT_ENV]: otlp })
  return Mabeam.layer().pipe(Layer.provide(ConfigProvider.layer(provider)))
}

const checkOptions = (scenario: Scenario, options: RunScenarioOptions): Effect.Effect<void, InvalidOption> => {
  const maxAgents = scenario.maxAgents ?? 1_000
  const minAgents = scenario.minAgents ?? 2
  const maxRounds = scenario.maxRounds ?? 1_000_000
  const checks: ReadonlyArray<readonly [string, number | undefined, string, (n: number) => boolean]> = [
    [
      "--rounds",
      options.rounds,
      `an integer from 1 to ${maxRounds}${scenario.maxRounds === undefined ? "" : ` for ${scenario.name}`}`,
      (n) => n >= 1 && n <= maxRounds
    ],
    ["--pace", options.paceMillis, "milliseconds from 0 to 60000", (n) => n >= 0 && n <= 60_000],
    [
      "--agents",
      options.agents,
      `an integer from ${minAgents} to ${maxAgents} for ${scenario.name}`,
      (n) => n >= minAgents && n <= maxAgents
    ],
    ["--port", options.dashboardPort, "a port from 0 to 65535", (n) => n >= 0 && n <= 65_535]
  ]
  for (const [option, value, expected, ok] of checks) {
    if (value !== undefined && (!Number.isInteger(value) || !ok(value))) {
      return Effect.fail(new InvalidOption({ option, value: String(value), expected }))
    }
  }
  if (options.otlp !== undefined && !URL.canParse(options.otlp)) {
    return Effect.fail(
      new InvalidOption({ option: "--otlp", value: options.otlp, expected: "a URL like http://127.0.0.1:4318" })
    )
  }
  return Effect.void
}

/**
 * Runs `scenario` and prints its report (and, with `inspect`, the final snapshot). Fails with
 * `ScenarioFailed` (exit code 1) when the scenario fails, `InvalidOption` on a bad flag value.
 *
 * @since 0.1.0
 * @category utils
 */
export const runScenario = (scenario: Scenario, options: RunScenarioOptions) =>
  Effect.gen(function* () {
    const probe = yield* Dashboard.Probe
    yield* probe.setScenario(scenario.name)
    if (options.dashboardPort !== undefined) {
      const dashboard = yield* Dashboard.serve({
        port: options.dashboardPort,
        ...(options.intervalMillis === undefined ? {} : { intervalMillis: options.intervalMillis })
      })
      yield* Console.log(`dashboard: ${dashboard.url}`)
      if (options.onDashboard !== undefined) yield* options.onDashboard(dashboard)
    }
    const report = yield* scenario.run(options).pipe(
      Effect.withSpan("mabeam.scenario.run", {
        root: true,
        attributes: { "mabeam.scenario": scenario.name, "mabeam.seed": options.seed }
      }),
      Effect.mapError((error) =>
        // A scenario that cannot run here (a missing package) is a usage error, not a failed run.
        error instanceof NotAvailable
          ? error
          : new ScenarioFailed({
              scenario: scenario.name,
              seed: failedSeed(error, options.seed),
              reason: describeFailure(error)
            })
      )
    )
    for (const line of report.lines) yield* Console.log(line)
    if (options.inspect === true) {
      yield* Console.log("")
      yield* Console.log(Dashboard.Snapshot.format(yield* Dashboard.Snapshot.take))
    }
    if (options.dashboardPort !== undefined && options.hold === true) {
      yield* Console.log("scenario finished; the dashboard keeps serving its last state. Press Ctrl+C to stop.")
      return yield* Effect.never
    }
  }).pipe(
    Effect.scoped,
    Effect.provide(Layer.merge(Dashboard.Probe.layer, mabeamLayer(options.otlp))),
    Random.withSeed(options.seed),
    Effect.catchTags({
      InvalidConfig: (error) =>
        Effect.fail(new ScenarioFailed({ scenario: scenario.name, seed: options.seed, reason: error.message })),
      InvalidInput: (error) =>
        Effect.fail(new ScenarioFailed({ scenario: scenario.name, seed: options.seed, reason: error.message })),
      ServeError: (error) =>
        Effect.fail(
          new InvalidOption({
            option: "--port",
            value: String(options.dashboardPort),
            expected: `a free port (${error.message})`
          })
        )
    }),
    // Flags are checked before any layer is built.
    (run) => Effect.andThen(checkOptions(scenario, options), run)
  )
