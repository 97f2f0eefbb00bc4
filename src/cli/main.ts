#!/usr/bin/env node
/**
 * The `mabeam` executable: `node src/cli/main.ts <command> [options]` (the package's `bin`).
 * Exits with the code `Cli.main` returns; Ctrl+C interrupts the run, closing every scope.
 *
 * @since 0.1.0
 */
import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Effect, Exit, Runtime } from "effect"
import { main } from "./Cli.ts"

const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isSuccess(exit) && typeof exit.value === "number" ? onExit(exit.value) : Runtime.defaultTeardown(exit, onExit)

NodeRuntime.runMain(main(process.argv.slice(2)).pipe(Effect.provide(NodeServices.layer)), { teardown })
