/**
 * Runs the `mabeam` CLI in-process with an argv array and captures its output, with a fake
 * child-process spawner that records commands instead of running them.
 */
import { NodeFileSystem, NodePath } from "@effect/platform-node"
import { Effect, FileSystem, Layer, Stdio, Terminal } from "effect"
import { TestConsole } from "effect/testing"
import { ChildProcess, ChildProcessSpawner } from "effect/process"
import { main } from "../../src/cli/index.ts"

/** What one CLI run printed and returned. */
export interface CliRun {
  readonly code: number
  readonly out: string
  readonly err: string
  /** Commands the CLI spawned, as `[program, ...args]`. */
  readonly spawned: ReadonlyArray<ReadonlyArray<string>>
}

const terminal = Layer.succeed(
  Terminal.Terminal,
  Terminal.make({
    columns: Effect.succeed(120),
    rows: Effect.succeed(40),
    size: Effect.die("unused"),
    readInput: Effect.die("unused"),
    readLine: Effect.die("unused"),
    display: () => Effect.void
  })
)

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "")

/** Options of `runCli`. */
export interface RunCliOptions {
  /** Exit code the fake child processes return (default 0). */
  readonly childExitCode?: number
  /** Replaces the file system (default: the real one). */
  readonly fileSystem?: Layer.Layer<FileSystem.FileSystem>
}

/** Runs `mabeam <argv>` and collects its output. */
export const runCli = (argv: ReadonlyArray<string>, options: RunCliOptions = {}) =>
  Effect.gen(function* () {
    const spawned: Array<ReadonlyArray<string>> = []
    const base = ChildProcessSpawner.make(() => Effect.die("spawn is not faked"))
    const spawner = Layer.succeed(ChildProcessSpawner.ChildProcessSpawner, {
      ...base,
      exitCode: (command) =>
        Effect.sync(() => {
          if (ChildProcess.isStandardCommand(command)) spawned.push([command.command, ...command.args.map(String)])
          return ChildProcessSpawner.ExitCode(options.childExitCode ?? 0)
        })
    })
    const environment = Layer.mergeAll(
      options.fileSystem ?? NodeFileSystem.layer,
      NodePath.layer,
      Stdio.layerTest({}),
      terminal,
      spawner
    )
    const code = yield* main(argv).pipe(Effect.provide(environment))
    const out = (yield* TestConsole.logLines).map(String).join("\n")
    const err = (yield* TestConsole.errorLines).map(String).join("\n")
    return { code, out: stripAnsi(out), err: stripAnsi(err), spawned } satisfies CliRun
  }).pipe(Effect.provide(TestConsole.layer))
