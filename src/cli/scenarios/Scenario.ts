/**
 * The scenario contract: a named, described program the `mabeam` CLI can run, inspect and show on
 * the dashboard. A scenario gets the mabeam services, a `Probe` to tell observers what it is
 * doing, and a Scope that closes (stopping every agent it spawned) when it returns.
 *
 * @since 0.1.0
 */
import type { Effect, Scope } from "effect"
import type { Probe } from "../../dashboard/index.ts"
import type { MabeamServices } from "../../runtime/index.ts"
import type { Seed } from "../seed.ts"

/**
 * Options from the command line; each scenario documents how it reads them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScenarioOptions {
  /** Seed of the run's `Random` (already installed), a string or a number; scenarios may also print it. */
  readonly seed: Seed
  /** How many agents to run; `undefined` = the scenario's default. */
  readonly agents?: number | undefined
  /** How many rounds of work; at least 1. */
  readonly rounds: number
  /** Milliseconds of simulated work per message, so a human can watch; 0 = full speed. */
  readonly paceMillis: number
}

/**
 * What a run reports: the lines printed at the end.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScenarioReport {
  readonly lines: ReadonlyArray<string>
}

/**
 * Services a scenario may use.
 *
 * @since 0.1.0
 * @category models
 */
export type ScenarioServices = MabeamServices | Probe | Scope.Scope

/**
 * A runnable scenario. `run` may fail with anything; the CLI reports the failure with the
 * scenario's name and exits with code 1.
 *
 * @example
 * ```ts
 * export const hello: Scenario = {
 *   name: "hello",
 *   description: "spawns one agent and says hello",
 *   run: () => Effect.succeed({ lines: ["hello"] })
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Scenario {
  readonly name: string
  /** One line for `mabeam run --help` and the unknown-scenario error. */
  readonly description: string
  /** How many agents `--agents` may ask for (2 to 1000 unless set). */
  readonly maxAgents?: number
  /** The fewest agents `--agents` may ask for (default 2). */
  readonly minAgents?: number
  /** The most `--rounds` (default 1 000 000). */
  readonly maxRounds?: number
  readonly run: (options: ScenarioOptions) => Effect.Effect<ScenarioReport, unknown, ScenarioServices>
}
