/**
 * The runner processes of the cluster demo: each one is `runner-main.ts` in a child process of
 * this Node binary, on a free port of 127.0.0.1. They are stopped when the scope that started them
 * closes: SIGTERM (the runner releases its shards), then SIGKILL if it is still there after 5 s.
 *
 * @since 0.2.0
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Effect, Schema } from "effect"
import { freePort } from "../../src/transport/index.ts"

/** A runner process did not start. */
export class RunnerStartError extends Schema.TaggedError<RunnerStartError>()("RunnerStartError", {
  runner: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `runner ${this.runner} did not start: ${this.reason}`
  }
}

/** A started runner process. */
export interface RunnerProcess {
  readonly name: string
  readonly port: number
  readonly pid: number
}

// Beside this module: `.ts` when run from the sources, `.js` when run from the built `dist/`.
const runnerMain = join(import.meta.dirname, `runner-main${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`)

const stop = (child: ChildProcessWithoutNullStreams) =>
  Effect.callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000)
    child.once("exit", () => {
      clearTimeout(killer)
      resume(Effect.void)
    })
    child.kill("SIGTERM")
  })

/**
 * Starts runner `name` of run `seed` on `storage`; succeeds once it printed `ready` (at most
 * `readyWithin`), and stops it when the scope closes.
 */
export const startRunnerProcess = (options: {
  readonly name: string
  readonly seed: string
  readonly storage: string
  readonly readyWithin?: number | undefined
  /** Called with each line the runner writes on stderr (its warnings and errors). */
  readonly onStderr?: ((line: string) => void) | undefined
}) =>
  Effect.gen(function* () {
    const port = yield* freePort
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [runnerMain, String(port), options.name, options.seed, options.storage], {
          stdio: ["pipe", "pipe", "pipe"]
        })
      ),
      stop
    )
    const stderr: Array<string> = []
    createInterface({ input: child.stderr }).on("line", (line) => {
      stderr.push(line)
      if (stderr.length > 20) stderr.shift()
      options.onStderr?.(line)
    })
    const within = options.readyWithin ?? 30_000
    yield* Effect.callback<void, RunnerStartError>((resume) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (line === "ready") resume(Effect.void)
      })
      child.once("exit", (code, signal) =>
        resume(
          Effect.fail(
            new RunnerStartError({
              runner: options.name,
              reason: `exited (${code ?? signal}) before it was ready: ${stderr.join("\n")}`
            })
          )
        )
      )
    }).pipe(
      Effect.timeoutOrElse({
        duration: within,
        orElse: () =>
          Effect.fail(new RunnerStartError({ runner: options.name, reason: `not ready within ${within} ms` }))
      })
    )
    const started: RunnerProcess = { name: options.name, port, pid: child.pid ?? -1 }
    return started
  })
