/**
 * A child whose restart is still in its `init` (the control loop does not wait for it) is killed,
 * not stopped: its `stop` has nothing to stop yet — a nested supervisor's would signal the previous
 * incarnation — and a graceful stop would wait for it forever (seeds 37, 211, 243 of the sim).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scope } from "effect"
import { Supervisor } from "../../src/supervision/index.ts"
import { makeProbe } from "./harness.ts"

const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

/**
 * A root running a nested supervisor that gives up when its worker fails; the root restarts it,
 * and that incarnation's setup blocks until `gate` opens (never, here): it stays in its `init`.
 */
const restartingNested = Effect.gen(function* () {
  const probe = yield* makeProbe
  const gate = yield* Deferred.make<void>()
  const log: Array<string> = []
  let incarnation = 0
  const root = yield* Supervisor.make({ name: "root", intensity: { maxRestarts: 5, within: 1000 } })
  yield* root.startChild(
    Supervisor.nested("n", { intensity: { maxRestarts: 0, within: 1000 } }, (nested) =>
      Effect.gen(function* () {
        incarnation++
        if (incarnation > 1) {
          log.push("init blocked")
          yield* Effect.onInterrupt(Deferred.await(gate), () => Effect.sync(() => log.push("init interrupted")))
        }
        yield* nested.startChild(yield* probe.child("w"))
      })
    )
  )
  yield* settle
  yield* probe.command("w", "fail")
  yield* settle
  return { root, log }
})

describe("Supervisor: stopping a child still in its init", () => {
  it.effect("terminateChild of a nested supervisor its parent is restarting completes", () =>
    Effect.gen(function* () {
      const { root, log } = yield* restartingNested
      assert.deepStrictEqual(log, ["init blocked"])
      const terminating = yield* Effect.forkChild(root.terminateChild("n"))
      yield* settle
      const exit = terminating.pollUnsafe()
      assert.isDefined(exit, "terminateChild hung on a child in its init")
      assert.isTrue(Exit.isSuccess(exit!))
      assert.deepStrictEqual(log, ["init blocked", "init interrupted"])
      const children = yield* root.children
      assert.deepStrictEqual(
        children.map(({ id, status }) => ({ id, status })),
        [{ id: "n", status: "stopped" }]
      )
    })
  )

  it.effect("closing the scope while a nested supervisor restarts completes, and await succeeds", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const { root, log } = yield* restartingNested.pipe(Scope.provide(scope))
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* settle
      assert.isDefined(closing.pollUnsafe(), "closing the scope hung on a child in its init")
      assert.deepStrictEqual(log, ["init blocked", "init interrupted"])
      const awaited = yield* Fiber.await(yield* Effect.forkChild(root.await))
      assert.isTrue(Exit.isSuccess(awaited))
    })
  )
})
