/**
 * Once a supervisor stops its children (its scope closes, or it gives up), `restartChild` starts
 * nothing: the child it names may be halted already, and a new incarnation would outlive the
 * supervisor (seed 244 of the sim: the root's `await` failed with children still running).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { TestClock } from "effect/testing"
import type { ChildSpec } from "../../src/supervision/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"
import { makeProbe } from "./harness.ts"

const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

describe("Supervisor: restartChild while stopping", () => {
  it.effect("fails with SupervisorStopped during a give-up and starts nothing", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const log: Array<string> = []
      // Ignores its stop, so halting it takes its whole shutdown timeout.
      const slow: ChildSpec<never> = {
        id: "slow",
        shutdown: "1 second",
        stop: Effect.void,
        start: Effect.gen(function* () {
          log.push("start:slow")
          yield* Effect.addFinalizer(() => Effect.sync(() => log.push("stop:slow")))
          return yield* Effect.never
        })
      }
      const supervisor = yield* Supervisor.make({ intensity: { maxRestarts: 0, within: 1000 } })
      yield* supervisor.startChild(slow)
      yield* supervisor.startChild(yield* probe.child("boom"))
      yield* settle
      yield* probe.command("boom", "fail")
      yield* settle // giving up: halting "slow", which waits for its timeout
      const restarted = yield* Effect.exit(supervisor.restartChild("slow"))
      assert.isTrue(Exit.isFailure(restarted))
      const error = Exit.isFailure(restarted) ? Option.getOrUndefined(Exit.findErrorOption(restarted)) : undefined
      assert.strictEqual(error?._tag, "SupervisorStopped")
      yield* TestClock.adjust(1000)
      yield* settle
      const awaited = yield* Effect.exit(supervisor.await)
      assert.isTrue(Exit.isFailure(awaited))
      assert.deepStrictEqual(log, ["start:slow", "stop:slow"])
      assert.deepStrictEqual(yield* supervisor.children, [])
    })
  )
})
