/**
 * The CLI's errors. Each says what went wrong and what to do, carries the process exit code
 * (2: the command line was wrong or the feature is missing; 1: the run failed) and is rendered by
 * effect/cli through its `userMessage`.
 *
 * @since 0.1.0
 */
import { Data, Runtime } from "effect"
import { CliError } from "effect/cli"

/**
 * Exit code of a wrong command line or a missing feature.
 *
 * @since 0.1.0
 * @category constants
 */
export const USAGE = 2

/**
 * The scenario name is not in the registry; the message lists the known ones.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownScenario extends Data.TaggedError("UnknownScenario")<{
  readonly scenario: string
  readonly known: ReadonlyArray<string>
}> {
  override readonly [Runtime.errorExitCode] = USAGE
  override get message(): string {
    return (
      `unknown scenario "${this.scenario}". Known scenarios: ${this.known.join(", ")}. ` +
      `Run "mabeam run --help" to see what each one does.`
    )
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/**
 * A flag has a value outside its range.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOption extends Data.TaggedError("InvalidOption")<{
  readonly option: string
  readonly value: string
  readonly expected: string
}> {
  override readonly [Runtime.errorExitCode] = USAGE
  override get message(): string {
    return `${this.option} ${this.value} is not valid: expected ${this.expected}`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/**
 * `inspect --url` could not read a snapshot from a running dashboard.
 *
 * @since 0.1.0
 * @category errors
 */
export class DashboardUnreachable extends Data.TaggedError("DashboardUnreachable")<{
  readonly url: string
  readonly reason: string
}> {
  override readonly [Runtime.errorExitCode] = 1
  override get message(): string {
    return (
      `cannot read a snapshot from ${this.url} (${this.reason}). ` +
      `Start a dashboard first, e.g. "mabeam run agents --dashboard", and pass its address.`
    )
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/**
 * A command that cannot run in this installation (a missing part or package); the hint says what to do.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotAvailable extends Data.TaggedError("NotAvailable")<{
  readonly command: string
  readonly hint: string
}> {
  override readonly [Runtime.errorExitCode] = USAGE
  override get message(): string {
    return `"mabeam ${this.command}" is not available here: ${this.hint}`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/**
 * A scenario failed while running.
 *
 * @since 0.1.0
 * @category errors
 */
export class ScenarioFailed extends Data.TaggedError("ScenarioFailed")<{
  readonly scenario: string
  readonly seed: number | string
  readonly reason: string
}> {
  override readonly [Runtime.errorExitCode] = 1
  override get message(): string {
    return (
      `scenario "${this.scenario}" failed: ${this.reason}. ` + `Run it again with --seed ${this.seed} to replay it.`
    )
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/**
 * A child process (bench, sim) exited with a non-zero code; the CLI exits with the same code.
 *
 * @since 0.1.0
 * @category errors
 */
export class ChildFailed extends Data.TaggedError("ChildFailed")<{
  readonly command: string
  readonly code: number
}> {
  override get [Runtime.errorExitCode](): number {
    return this.code
  }
  override get message(): string {
    return `"${this.command}" exited with code ${this.code}; its output above says why`
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}

/**
 * Every error the CLI's own handlers fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type MabeamCliError =
  | DashboardUnreachable
  | UnknownScenario
  | InvalidOption
  | NotAvailable
  | ScenarioFailed
  | ChildFailed
  | RunnerFailed

/**
 * `mabeam runner` could not start or drain; `code` is 2 for wrong settings, 1 otherwise.
 *
 * @since 0.1.0
 * @category errors
 */
export class RunnerFailed extends Data.TaggedError("RunnerFailed")<{
  readonly reason: string
  readonly code: number
}> {
  override get [Runtime.errorExitCode](): number {
    return this.code
  }
  override get message(): string {
    return this.reason
  }
  override get [CliError.userMessage](): string {
    return this.message
  }
}
