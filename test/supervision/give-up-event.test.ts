/**
 * `SupervisorFailed` reports the give-up when it is decided, before the children are stopped
 * (which may take their whole shutdown timeouts): a subscriber that ends meanwhile — in the sim,
 * a nested supervisor's watcher whose scope its parent closed — no longer misses it (seed 205 of
 * the sim, whose intensity checker then counted the give-up decision as a restart).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { ChildSpec } from "../../src/supervision/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"
import { makeProbe } from "./harness.ts"

const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

describe("Supervisor: the give-up event", () => {
  it.effect("SupervisorFailed is published at the decision, before the children have stopped", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      // Ignores its stop, so halting it takes its whole shutdown timeout.
      const slow: ChildSpec<never> = { id: "slow", shutdown: "1 minute", stop: Effect.void, start: Effect.never }
      const supervisor = yield* Supervisor.make({ intensity: { maxRestarts: 0, within: 1000 } })
      const events: Array<Supervisor.SupervisorEvent["_tag"]> = []
      yield* Effect.forkScoped(
        Stream.runForEach(supervisor.events, (event) => Effect.sync(() => events.push(event._tag)))
      )
      yield* settle
      yield* supervisor.startChild(slow)
      yield* supervisor.startChild(yield* probe.child("boom"))
      yield* settle
      yield* probe.command("boom", "fail")
      yield* settle // giving up: halting "slow", which waits for its timeout
      assert.deepStrictEqual(events, ["ChildStarted", "ChildStarted", "ChildExited", "SupervisorFailed"])
      assert.deepStrictEqual(
        (yield* supervisor.children).map(({ id }) => id),
        ["slow"],
        "the children are still being stopped"
      )
      yield* TestClock.adjust("1 minute")
      yield* settle
      assert.isTrue(Exit.isFailure(yield* Effect.exit(supervisor.await)))
      assert.deepStrictEqual(yield* supervisor.children, [])
    })
  )
})
