#!/usr/bin/env node
/**
 * The `mabeam` executable: `node src/cli/main.ts <command> [options]` (the package's `bin`).
 * Exits with the code `Cli.main` returns; Ctrl+C interrupts the run, closing every scope.
 *
 * `mabeam runner` is the exception: SIGTERM and SIGINT start its drain instead of interrupting it,
 * so a drained runner exits 0; a second signal, or a drain that overruns its deadline by a second,
 * ends the process with code 1.
 *
 * @since 0.1.0
 */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Deferred, Effect, Exit, Runtime } from "effect"
import { VERSION } from "./version.ts"

const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isSuccess(exit) && typeof exit.value === "number" ? onExit(exit.value) : Runtime.defaultTeardown(exit, onExit)

const argv = process.argv.slice(2)

if (argv[0] === "runner") {
  // Only the runner is loaded: a restarted runner is back sooner.
  const { DrainGuard, runnerMain, ShutdownSignal } = await import("./runnerCommand.ts")
  const signal = Deferred.makeUnsafe<string>()
  const onSignal = (name: string) => {
    if (Deferred.isDoneUnsafe(signal)) {
      process.stderr.write(`${name} received again during the drain: exiting now\n`)
      process.exit(1)
    }
    Deferred.doneUnsafe(signal, Exit.succeed(name))
  }
  process.on("SIGTERM", () => onSignal("SIGTERM"))
  process.on("SIGINT", () => onSignal("SIGINT"))
  const guard = (deadlineMillis: number) => {
    setTimeout(() => {
      process.stderr.write(`the drain did not finish within ${deadlineMillis} ms: exiting with code 1\n`)
      process.exit(1)
    }, deadlineMillis + 1_000).unref()
  }
  const fiber = Effect.runFork(
    runnerMain(argv, VERSION).pipe(
      Effect.provide(NodeServices.layer),
      Effect.provideService(ShutdownSignal, Deferred.await(signal)),
      Effect.provideService(DrainGuard, guard)
    )
  )
  fiber.addObserver((exit) => teardown(exit, (code) => process.exit(code)))
} else {
  const { main } = await import("./Cli.ts")
  NodeRuntime.runMain(main(argv).pipe(Effect.provide(NodeServices.layer)), { teardown })
}
