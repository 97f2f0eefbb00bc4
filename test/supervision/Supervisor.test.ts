import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Schedule, Scope } from "effect"
import { TestClock } from "effect/testing"
import { DuplicateChild, RestartIntensityExceeded, Supervisor, UnknownChild } from "../../src/supervision/index.ts"
import { makeProbe } from "./harness.ts"

/** Lets every ready fiber run (the scheduler is cooperative; no time passes). */
const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

describe("Supervisor", () => {
  it.effect("one-for-one restarts only the child that failed", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make({ strategy: "one-for-one" })
      yield* supervisor.startChild(yield* probe.child("a"))
      yield* supervisor.startChild(yield* probe.child("b"))
      yield* settle
      yield* probe.command("a", "fail")
      yield* settle
      assert.deepStrictEqual(probe.log, ["start:a", "start:b", "stop:a", "start:a"])
      const children = yield* supervisor.children
      assert.deepStrictEqual(
        children.map(({ id, restarts, running }) => ({ id, running, restarts })),
        [
          { id: "a", running: true, restarts: 1 },
          { id: "b", running: true, restarts: 0 }
        ]
      )
    })
  )

  it.effect("one-for-all stops the others in reverse order, then restarts all in start order", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make({ strategy: "one-for-all" })
      for (const id of ["a", "b", "c"]) yield* supervisor.startChild(yield* probe.child(id))
      yield* settle
      yield* probe.command("b", "die")
      yield* settle
      assert.deepStrictEqual(probe.log.slice(3), ["stop:b", "stop:c", "stop:a", "start:a", "start:b", "start:c"])
    })
  )

  it.effect("rest-for-one restarts the child and those started after it", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make({ strategy: "rest-for-one" })
      for (const id of ["a", "b", "c"]) yield* supervisor.startChild(yield* probe.child(id))
      yield* settle
      yield* probe.command("b", "fail")
      yield* settle
      assert.deepStrictEqual(probe.log.slice(3), ["stop:b", "stop:c", "start:b", "start:c"])
    })
  )

  it.effect("transient children restart after a failure but not after a normal return", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(yield* probe.child("t", "transient"))
      yield* settle
      yield* probe.command("t", "fail")
      yield* settle
      yield* probe.command("t", "return")
      yield* settle
      assert.deepStrictEqual(probe.log, ["start:t", "stop:t", "start:t", "stop:t"])
      // OTP keeps the spec of a transient child that exited normally, until it is deleted.
      assert.deepStrictEqual(yield* supervisor.children, [
        { id: "t", running: false, restarts: 1, status: "stopped", type: "worker", restart: "transient" }
      ])
      yield* supervisor.deleteChild("t")
      assert.deepStrictEqual(yield* supervisor.children, [])
    })
  )

  it.effect("temporary children are never restarted", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(yield* probe.child("once", "temporary"))
      yield* settle
      yield* probe.command("once", "die")
      yield* settle
      assert.deepStrictEqual(probe.log, ["start:once", "stop:once"])
      assert.deepStrictEqual(yield* supervisor.children, [])
    })
  )

  it.effect("more restarts than the intensity allows within the window make the supervisor give up", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make({ name: "root", intensity: { maxRestarts: 2, within: "10 seconds" } })
      yield* supervisor.startChild(yield* probe.child("a"))
      yield* supervisor.startChild(yield* probe.child("b"))
      yield* settle
      for (let i = 0; i < 3; i++) {
        yield* probe.command("a", "fail")
        yield* settle
      }
      const error = yield* Effect.flip(supervisor.await)
      assert.instanceOf(error, RestartIntensityExceeded)
      assert.strictEqual(error.child, "a")
      assert.match(error.message, /more than 2 restarts within 10000 ms/)
      assert.deepStrictEqual(yield* supervisor.children, [])
      // the third failure of "a" exceeds the intensity: "b" is stopped and nothing restarts
      assert.deepStrictEqual(probe.log.slice(-2), ["stop:a", "stop:b"])
      assert.strictEqual(probe.log.filter((line) => line === "start:a").length, 3)
    })
  )

  it.effect("restarts spread beyond the window stay within the intensity", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make({ intensity: { maxRestarts: 2, within: "10 seconds" } })
      yield* supervisor.startChild(yield* probe.child("a"))
      yield* settle
      for (let i = 0; i < 5; i++) {
        yield* probe.command("a", "fail")
        yield* settle
        yield* TestClock.adjust("6 seconds")
      }
      assert.deepStrictEqual(yield* supervisor.children, [
        { id: "a", running: true, restarts: 5, status: "running", type: "worker", restart: "permanent" }
      ])
    })
  )

  it.effect("the backoff schedule delays each restart on the clock", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make({
        backoff: Schedule.exponential("1 second"),
        intensity: { maxRestarts: 10, within: "1 minute" }
      })
      yield* supervisor.startChild(yield* probe.child("a"))
      yield* settle
      yield* probe.command("a", "fail")
      yield* settle
      assert.deepStrictEqual(probe.log, ["start:a", "stop:a"])
      yield* TestClock.adjust("999 millis")
      assert.deepStrictEqual(probe.log, ["start:a", "stop:a"])
      yield* TestClock.adjust("1 millis")
      yield* settle
      assert.deepStrictEqual(probe.log, ["start:a", "stop:a", "start:a"])
      yield* probe.command("a", "fail")
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.strictEqual(probe.log.length, 4, "second restart waits 2 seconds")
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.strictEqual(probe.log.at(-1), "start:a")
    })
  )

  it.effect("a nested supervisor that gives up fails as a child and its parent restarts it", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const root = yield* Supervisor.make({ name: "root", intensity: { maxRestarts: 5, within: "1 minute" } })
      const worker = yield* probe.child("w")
      yield* root.startChild(
        Supervisor.nested("inner", { intensity: { maxRestarts: 0, within: "1 minute" } }, (inner) =>
          inner.startChild(worker)
        )
      )
      yield* settle
      yield* probe.command("w", "fail")
      yield* settle
      assert.deepStrictEqual(probe.log, ["start:w", "stop:w", "start:w"])
      assert.deepStrictEqual(yield* root.children, [
        { id: "inner", running: true, restarts: 1, status: "running", type: "supervisor", restart: "permanent" }
      ])
    })
  )

  it.effect("closing the scope stops children in reverse start order and completes await", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const scope = yield* Scope.make()
      const supervisor = yield* Supervisor.make().pipe(Scope.provide(scope))
      for (const id of ["a", "b", "c"]) yield* supervisor.startChild(yield* probe.child(id))
      yield* settle
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(probe.log.slice(3), ["stop:c", "stop:b", "stop:a"])
      yield* supervisor.await
      const error = yield* Effect.flip(supervisor.startChild(yield* probe.child("late")))
      assert.strictEqual(error._tag, "SupervisorStopped")
    })
  )

  it.effect("a child that ignores its graceful stop is interrupted after its shutdown timeout", () =>
    Effect.gen(function* () {
      const supervisor = yield* Supervisor.make()
      const asked = yield* Deferred.make<void>()
      const interrupted = yield* Deferred.make<void>()
      yield* supervisor.startChild({
        id: "stubborn",
        shutdown: "3 seconds",
        stop: Deferred.succeed(asked, undefined).pipe(Effect.asVoid),
        start: Effect.never.pipe(Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined)))
      })
      yield* settle
      const stopping = yield* Effect.forkChild(supervisor.stopChild("stubborn"))
      yield* Deferred.await(asked)
      yield* TestClock.adjust("2 seconds")
      assert.isFalse(yield* Deferred.isDone(interrupted))
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(stopping)
      assert.isTrue(yield* Deferred.isDone(interrupted))
    })
  )

  it.effect("dynamic children: duplicate ids and unknown ids are typed errors", () =>
    Effect.gen(function* () {
      const probe = yield* makeProbe
      const supervisor = yield* Supervisor.make({ name: "dyn" })
      yield* supervisor.startChild(yield* probe.child("a"))
      const duplicate = yield* Effect.flip(supervisor.startChild(yield* probe.child("a")))
      assert.instanceOf(duplicate, DuplicateChild)
      assert.strictEqual(duplicate.message, `supervisor "dyn" already has a child "a"`)
      yield* settle
      yield* supervisor.stopChild("a")
      assert.deepStrictEqual(probe.log, ["start:a", "stop:a"])
      const unknown = yield* Effect.flip(supervisor.stopChild("a"))
      assert.instanceOf(unknown, UnknownChild)
    })
  )

  it.effect("bad options are decoded into an InvalidInput that names the field", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<[Supervisor.SupervisorOptions, string]> = [
        [{ strategy: "one-for-some" as never }, `["strategy"]`],
        [{ intensity: { maxRestarts: 1.5, within: "1 second" } }, `["intensity"]["maxRestarts"]`],
        [{ intensity: { maxRestarts: 1, within: "soon" as never } }, `["intensity"]["within"]`],
        [{ name: 7 as never }, `["name"]`],
        [{ dynamic: "yes" as never }, `["dynamic"]`]
      ]
      for (const [options, field] of cases) {
        const error = yield* Effect.flip(Supervisor.make(options))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.include(error.issue, field, JSON.stringify(options))
        assert.include(error.where, "Supervisor.make")
      }
    })
  )
})
