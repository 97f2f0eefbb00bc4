/**
 * The `mabeam` command line: commands, the scenario registry and the scenario runner. The
 * executable is `main.ts`; this index is for tests and for embedding the CLI.
 *
 * @since 0.1.0
 */
export { cli, command, main, projectRoot, VERSION } from "./Cli.ts"
export {
  ChildFailed,
  DashboardUnreachable,
  InvalidOption,
  type MabeamCliError,
  NotAvailable,
  RunnerFailed,
  ScenarioFailed,
  UnknownScenario,
  USAGE
} from "./errors.ts"
export { DrainGuard, runner, ShutdownSignal } from "./runnerCommand.ts"
export { findScenario, runScenario, type RunScenarioOptions } from "./runScenario.ts"
export { DEFAULT_SEED, parseSeed, type Seed, seedNumber } from "./seed.ts"
export * from "./scenarios/index.ts"
