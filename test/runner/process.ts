/**
 * `mabeam runner` in a child process, for the loopback process tests: started with flags (and the
 * environment), its JSON log lines collected, its probe port read from its "runner started" line,
 * SIGKILLed when the test's scope closes at the latest.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Deferred, Duration, Effect, Schedule } from "effect"

const main = join(import.meta.dirname, "..", "..", "src", "cli", "main.ts")

/** A started runner process. */
export interface RunnerProcess {
  readonly child: ChildProcessWithoutNullStreams
  /** Its JSON log lines so far (parsed), and its stderr lines. */
  readonly logs: Array<{ readonly message: string; readonly annotations?: Record<string, unknown> }>
  readonly stderr: Array<string>
  /** Lines of its stdout that were not JSON (none expected: stdout is not a terminal). */
  readonly notJson: Array<string>
  /** Completes with the exit code (or the signal) when the process ends. */
  readonly exited: Effect.Effect<number | string>
  /** Completes with the probe port once the runner logged "runner started"; fails if it exits first. */
  readonly started: Effect.Effect<number, Error>
  /** GET on its probe server: status and body. */
  readonly probe: (path: string) => Effect.Effect<{ readonly status: number; readonly body: string }, Error>
}

/** Spawns `mabeam runner ARGS` (health on a free port unless given). */
export const spawnRunner = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}) =>
  Effect.gen(function* () {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [main, "runner", "--health", "127.0.0.1:0", ...args], {
          env: { ...process.env, MABEAM_LOG_FORMAT: "auto", ...env }
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    const logs: RunnerProcess["logs"] = []
    const stderr: Array<string> = []
    const notJson: Array<string> = []
    const exitedDeferred = Deferred.makeUnsafe<number | string>()
    const startedDeferred = Deferred.makeUnsafe<number, Error>()
    child.on("exit", (code, signal) => {
      Deferred.doneUnsafe(exitedDeferred, Effect.succeed(code ?? signal ?? -1))
      Deferred.doneUnsafe(
        startedDeferred,
        Effect.fail(new Error(`runner exited (${code ?? signal}) before it started: ${stderr.join("\n")}`))
      )
    })
    createInterface({ input: child.stderr }).on("line", (line) => stderr.push(line))
    createInterface({ input: child.stdout }).on("line", (line) => {
      let entry: RunnerProcess["logs"][number]
      try {
        entry = JSON.parse(line) as RunnerProcess["logs"][number]
      } catch {
        notJson.push(line)
        return
      }
      logs.push(entry)
      if (entry.message === "runner started") {
        const probes = String(entry.annotations?.["probes"])
        Deferred.doneUnsafe(startedDeferred, Effect.succeed(Number(probes.slice(probes.lastIndexOf(":") + 1))))
      }
    })
    const started = Deferred.await(startedDeferred).pipe(
      Effect.timeoutOrElse({
        duration: "60 seconds",
        orElse: () => Effect.fail(new Error(`runner not started in 60 s: ${stderr.join("\n")}`))
      })
    )
    const probe = (path: string) =>
      Effect.flatMap(Deferred.await(startedDeferred), (port) =>
        Effect.tryPromise({
          try: async () => {
            const response = await fetch(`http://127.0.0.1:${port}${path}`)
            return { status: response.status, body: await response.text() }
          },
          catch: (error) => new Error(String(error))
        })
      )
    const running: RunnerProcess = {
      child,
      logs,
      stderr,
      notJson,
      exited: Deferred.await(exitedDeferred),
      started,
      probe
    }
    return running
  })

/** Repeats `check` (loopback polling, every 100 ms) until it holds; dies after `within`. */
export const eventually = <E, R>(check: Effect.Effect<boolean, E, R>, within: Duration.Input, what: string) =>
  check.pipe(
    Effect.catch(() => Effect.succeed(false)),
    Effect.repeat({ until: (ok) => ok, schedule: Schedule.spaced("100 millis") }),
    Effect.timeoutOrElse({
      duration: within,
      orElse: () =>
        Effect.die(new Error(`${what}: not reached within ${Duration.format(Duration.fromInputUnsafe(within))}`))
    }),
    Effect.asVoid
  )
