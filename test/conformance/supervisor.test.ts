/**
 * OTP `supervisor` conformance, one test per documented behaviour: restart types under every
 * strategy, bounded shutdown (timeout then kill, brutal_kill, infinity, defaults), escalation,
 * flag and child-spec checks, and which_children / count_children / terminate / delete / restart.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { type ChildSpec, type RestartPolicy, Supervisor } from "../../src/supervision/index.ts"
import { primeClock, settle } from "./fixtures.ts"

/** Children that record their starts and hand their fiber out, so a test can kill them from outside. */
const makeChildren = () => {
  const log: Array<string> = []
  const fibers = new Map<string, Fiber.Fiber<unknown, unknown>>()
  const exits = new Map<string, Deferred.Deferred<"fail" | "return">>()
  const child = (id: string, restart: RestartPolicy = "permanent"): ChildSpec<string> => ({
    id,
    restart,
    start: Effect.gen(function* () {
      log.push(`start:${id}`)
      const command = Deferred.makeUnsafe<"fail" | "return">()
      exits.set(id, command)
      yield* Effect.withFiber((fiber) => Effect.sync(() => fibers.set(id, fiber)))
      if ((yield* Deferred.await(command)) === "fail") return yield* Effect.fail(`${id} failed`)
    })
  })
  const command = (id: string, what: "fail" | "return") => Deferred.succeed(exits.get(id)!, what)
  const kill = (id: string) => Fiber.interrupt(fibers.get(id)!)
  return { log, child, command, kill }
}

describe("supervisor: restart types", () => {
  for (const strategy of ["one-for-all", "rest-for-one"] as const) {
    it.effect(`a temporary child is never restarted, even by ${strategy}`, () =>
      Effect.gen(function* () {
        const { log, child, command } = makeChildren()
        const supervisor = yield* Supervisor.make({ strategy })
        yield* supervisor.startChild(child("a"))
        yield* supervisor.startChild(child("temp", "temporary"))
        yield* settle
        yield* command("a", "fail")
        yield* settle
        assert.deepStrictEqual(log, ["start:a", "start:temp", "start:a"])
        assert.deepStrictEqual(
          (yield* supervisor.children).map((c) => c.id),
          ["a"],
          "the temporary child is gone"
        )
      })
    )
  }

  it.effect("a transient child killed from outside is restarted (an abnormal exit)", () =>
    Effect.gen(function* () {
      const { log, child, kill } = makeChildren()
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(child("t", "transient"))
      yield* settle
      yield* kill("t")
      yield* settle
      assert.deepStrictEqual(log, ["start:t", "start:t"])
      assert.deepStrictEqual(
        (yield* supervisor.children).map((c) => [c.status, c.restarts]),
        [["running", 1]]
      )
    })
  )

  it.effect("a transient child that returns normally keeps its spec, stopped, until deleted", () =>
    Effect.gen(function* () {
      const { child, command } = makeChildren()
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(child("t", "transient"))
      yield* settle
      yield* command("t", "return")
      yield* settle
      assert.deepStrictEqual(
        (yield* supervisor.children).map((c) => [c.id, c.status, c.restart]),
        [["t", "stopped", "transient"]]
      )
      assert.deepStrictEqual(yield* supervisor.count, { specs: 1, active: 0, workers: 1, supervisors: 0 })
      yield* supervisor.deleteChild("t")
      assert.deepStrictEqual(yield* supervisor.children, [])
    })
  )

  it.effect("a transient nested supervisor that gave up is restarted by its parent (not a normal exit)", () =>
    Effect.gen(function* () {
      const { log, child, command } = makeChildren()
      const parent = yield* Supervisor.make({ intensity: { maxRestarts: 5, within: "1 minute" } })
      yield* parent.startChild({
        ...Supervisor.nested("inner", { intensity: { maxRestarts: 0, within: "1 minute" } }, (inner) =>
          inner.startChild(child("w"))
        ),
        restart: "transient"
      })
      yield* settle
      yield* command("w", "fail")
      yield* settle
      assert.deepStrictEqual(log, ["start:w", "start:w"])
      assert.deepStrictEqual(
        (yield* parent.children).map((c) => [c.id, c.type, c.status, c.restarts]),
        [["inner", "supervisor", "running", 1]]
      )
    })
  )
})

describe("supervisor: shutdown", () => {
  /** A child whose graceful stop is ignored: it only ends when interrupted. */
  const stubborn = (id: string, shutdown: ChildSpec["shutdown"], stopped: Array<string>): ChildSpec => ({
    id,
    ...(shutdown === undefined ? {} : { shutdown }),
    start: Effect.never,
    stop: Effect.sync(() => {
      stopped.push(id)
    })
  })

  it.effect("a child that ignores its stop is killed when its shutdown timeout ends, not before", () =>
    Effect.gen(function* () {
      yield* primeClock
      const asked: Array<string> = []
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(stubborn("w", "2 seconds", asked))
      const stopping = yield* Effect.forkChild(supervisor.stopChild("w"))
      yield* settle
      assert.deepStrictEqual(asked, ["w"])
      yield* TestClock.adjust("1999 millis")
      assert.isUndefined(stopping.pollUnsafe(), "still within its shutdown timeout")
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(stopping)
      assert.deepStrictEqual(yield* supervisor.children, [])
    })
  )

  it.effect("the default worker shutdown is 5 seconds", () =>
    Effect.gen(function* () {
      yield* primeClock
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(stubborn("w", undefined, []))
      const stopping = yield* Effect.forkChild(supervisor.stopChild("w"))
      yield* TestClock.adjust("4999 millis")
      assert.isUndefined(stopping.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(stopping)
    })
  )

  it.effect("brutal-kill interrupts at once, without asking", () =>
    Effect.gen(function* () {
      const asked: Array<string> = []
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(stubborn("w", "brutal-kill", asked))
      yield* supervisor.stopChild("w")
      assert.deepStrictEqual(asked, [])
    })
  )

  it.effect("infinity waits for as long as the child takes", () =>
    Effect.gen(function* () {
      yield* primeClock
      const supervisor = yield* Supervisor.make()
      const release = yield* Deferred.make<void>()
      yield* supervisor.startChild({
        id: "slow",
        shutdown: "infinity",
        start: Deferred.await(release),
        stop: Effect.void
      })
      const stopping = yield* Effect.forkChild(supervisor.stopChild("slow"))
      yield* TestClock.adjust("1 hour")
      assert.isUndefined(stopping.pollUnsafe(), "never killed")
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(stopping)
    })
  )

  it.effect("a nested supervisor stopped by its parent exits with shutdown (normally), after its children", () =>
    Effect.gen(function* () {
      const exits: Array<Exit.Exit<void, unknown>> = []
      const stops: Array<string> = []
      const parent = yield* Supervisor.make()
      yield* parent.startChild({
        ...Supervisor.nested("inner", {}, (inner) =>
          inner.startChild({ id: "w", start: Effect.never, onTerminated: () => void stops.push("w") })
        ),
        onTerminated: (exit) => void exits.push(exit)
      })
      yield* parent.stopChild("inner")
      assert.deepStrictEqual(stops, ["w"])
      assert.strictEqual(exits.length, 1)
      assert.isTrue(Exit.isSuccess(exits[0]!), "shutdown, not an interruption that looks like a kill")
    })
  )
})

describe("supervisor: flags and child specs are checked", () => {
  const badFlags: ReadonlyArray<[string, Supervisor.SupervisorOptions]> = [
    ["unknown strategy", { strategy: "one-for-some" as never }],
    ["negative intensity", { intensity: { maxRestarts: -1, within: "1 second" } }],
    ["infinite intensity", { intensity: { maxRestarts: Infinity, within: "1 second" } }],
    ["zero period", { intensity: { maxRestarts: 1, within: 0 } }],
    ["infinite period", { intensity: { maxRestarts: 1, within: Infinity } }],
    ["non-duration period", { intensity: { maxRestarts: 1, within: "soon" as never } }]
  ]
  for (const [label, flags] of badFlags) {
    it.effect(`make rejects ${label} with InvalidInput`, () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(Supervisor.make(flags))
        assert.strictEqual(error._tag, "InvalidInput")
      })
    )
  }

  const badSpecs: ReadonlyArray<[string, ChildSpec]> = [
    ["an unknown restart type", { id: "x", start: Effect.never, restart: "sometimes" as never }],
    ["a negative shutdown", { id: "x", start: Effect.never, shutdown: -1 }],
    ["a non-numeric shutdown", { id: "x", start: Effect.never, shutdown: "soonish" as never }],
    ["a start that is not an effect", { id: "x", start: (() => undefined) as never }],
    ["an empty id", { id: "", start: Effect.never }]
  ]
  for (const [label, spec] of badSpecs) {
    it.effect(`startChild rejects ${label} with InvalidInput and starts nothing`, () =>
      Effect.gen(function* () {
        const supervisor = yield* Supervisor.make()
        const error = yield* Effect.flip(supervisor.startChild(spec))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.deepStrictEqual(yield* supervisor.children, [])
      })
    )
  }
})

describe("supervisor: introspection and control", () => {
  it.effect("children show id, type, status and restart type; count counts them", () =>
    Effect.gen(function* () {
      const { child } = makeChildren()
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(child("w", "transient"))
      yield* supervisor.startChild(Supervisor.nested("sub", {}, () => Effect.void))
      assert.deepStrictEqual(yield* supervisor.children, [
        { id: "w", running: true, restarts: 0, status: "running", type: "worker", restart: "transient" },
        { id: "sub", running: true, restarts: 0, status: "running", type: "supervisor", restart: "permanent" }
      ])
      assert.deepStrictEqual(yield* supervisor.count, { specs: 2, active: 2, workers: 1, supervisors: 1 })
    })
  )

  it.effect("terminateChild keeps the spec, restartChild starts it again, deleteChild forgets it", () =>
    Effect.gen(function* () {
      const { log, child } = makeChildren()
      const supervisor = yield* Supervisor.make()
      yield* supervisor.startChild(child("w"))
      yield* settle
      assert.strictEqual((yield* Effect.flip(supervisor.deleteChild("w")))._tag, "ChildRunning")
      assert.strictEqual((yield* Effect.flip(supervisor.restartChild("w")))._tag, "ChildRunning")
      yield* supervisor.terminateChild("w")
      assert.deepStrictEqual(
        (yield* supervisor.children).map((c) => c.status),
        ["stopped"]
      )
      yield* supervisor.restartChild("w")
      yield* settle
      assert.deepStrictEqual(log, ["start:w", "start:w"])
      assert.deepStrictEqual(
        (yield* supervisor.children).map((c) => c.status),
        ["running"]
      )
      yield* supervisor.terminateChild("w")
      yield* supervisor.deleteChild("w")
      assert.deepStrictEqual(yield* supervisor.children, [])
      for (const error of [
        yield* Effect.flip(supervisor.terminateChild("w")),
        yield* Effect.flip(supervisor.deleteChild("w")),
        yield* Effect.flip(supervisor.restartChild("w"))
      ])
        assert.strictEqual(error._tag, "UnknownChild")
    })
  )
})
