/**
 * OTP `proc_lib` / `gen_server:start_link` conformance: a start is synchronous. The caller gets
 * control back only after the child's init succeeded (`init_ack`); a failing init returns
 * `{error, Reason}` to the caller, leaves nothing registered, and is never restarted.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Queue, Stream } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Registry } from "../../src/registry/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"
import { Boom, Messages, Ping, settle, systemLayer, worker } from "./fixtures.ts"

describe("proc_lib: synchronous start", () => {
  it.effect("spawn returns only after `initial` has run (init_ack)", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const gate = yield* Deferred.make<void>()
      const slow = Agent.make({
        name: "slow-start",
        messages: Messages,
        initial: () => Effect.as(Deferred.await(gate), 7),
        handle: (state: number) => state
      })
      const spawning = yield* Effect.forkChild(system.spawn(slow, { id: "slow" }))
      yield* settle
      assert.isUndefined(spawning.pollUnsafe(), "spawn is still waiting for initial")
      yield* Deferred.succeed(gate, undefined)
      const ref = yield* Fiber.join(spawning)
      assert.strictEqual(ref.id, "slow")
      assert.isTrue(ref.isAlive())
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect(
    "a failing `initial` fails spawn with the cause: nothing registered, no restart, bystanders untouched",
    () =>
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const registry = yield* Registry
        const events = yield* Stream.toQueue(system.events, { capacity: 64 })
        const bystander = yield* system.spawn(worker("steady"), { id: "bystander" })
        let starts = 0
        const broken = Agent.make({
          name: "broken",
          messages: Messages,
          initial: () =>
            Effect.suspend(() => {
              starts++
              return Effect.fail("no database")
            }),
          handle: (state: number) => state
        })
        const error = yield* Effect.flip(system.spawn(broken, { id: "broken-1" }))
        assert.strictEqual(error._tag, "AgentStartFailed")
        assert.strictEqual(error._tag === "AgentStartFailed" ? error.cause : undefined, "no database")
        yield* settle
        assert.strictEqual(starts, 1, "a failed start is not restarted")
        assert.isTrue(Option.isNone(system.lookup("broken-1")))
        assert.isTrue(Option.isNone(yield* registry.lookup("broken-1")))
        assert.strictEqual(system.size(), 1)
        assert.strictEqual(yield* bystander.ask(Ping.make({})), "pong")
        // The same id can be used again at once.
        const fixed = yield* system.spawn(worker("broken"), { id: "broken-1" })
        assert.strictEqual(yield* fixed.ask(Ping.make({})), "pong")
        const tags = Array.from(
          yield* Queue.takeAll(events),
          (event) => `${event._tag}:${"agent" in event ? event.agent : ""}`
        )
        assert.isFalse(tags.includes("AgentRestarted:broken-1"), "no restart loop")
      }).pipe(Effect.provide(systemLayer()))
  )

  it.effect("a name another owner holds fails spawn at once with AgentIdTaken and starts nothing", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const registry = yield* Registry
      const others = yield* Effect.forEach([1, 2, 3], (n) => system.spawn(worker("steady"), { id: `steady-${n}` }))
      yield* registry.registerDurable("taken", { node: "elsewhere", id: "someone-else" })
      let initials = 0
      const clash = Agent.make({
        name: "clash",
        messages: Messages,
        initial: () => {
          initials++
          return 0
        },
        handle: (state: number) => state
      })
      const error = yield* Effect.flip(system.spawn(clash, { id: "taken" }))
      assert.strictEqual(error._tag, "AgentIdTaken")
      yield* settle
      assert.strictEqual(initials, 0, "the name is taken before init runs (OTP registers first)")
      assert.isTrue(Option.isNone(system.lookup("taken")))
      assert.deepStrictEqual(Option.getOrThrow(yield* registry.lookup("taken")).value, {
        node: "elsewhere",
        id: "someone-else"
      })
      for (const other of others) assert.strictEqual(yield* other.ask(Ping.make({})), "pong")
      assert.strictEqual(system.size(), 3)
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect("startChild returns after init; a failing init is ChildStartFailed, not restarted, no give-up", () =>
    Effect.gen(function* () {
      const supervisor = yield* Supervisor.make({ intensity: { maxRestarts: 0, within: "1 minute" } })
      const started: Array<string> = []
      yield* supervisor.startChild({
        id: "bystander",
        init: Effect.sync(() => started.push("bystander")),
        start: Effect.never
      })
      assert.deepStrictEqual(started, ["bystander"], "init ran before startChild returned")
      let attempts = 0
      const error = yield* Effect.flip(
        supervisor.startChild({
          id: "bad",
          init: Effect.suspend(() => {
            attempts++
            return Effect.fail("bad config")
          }),
          start: Effect.never
        })
      )
      assert.strictEqual(error._tag, "ChildStartFailed")
      assert.strictEqual(error._tag === "ChildStartFailed" ? error.cause : undefined, "bad config")
      yield* settle
      assert.strictEqual(attempts, 1)
      assert.deepStrictEqual(
        (yield* supervisor.children).map((child) => [child.id, child.status]),
        [["bystander", "running"]]
      )
      const done = yield* Effect.forkChild(supervisor.await)
      yield* settle
      assert.isUndefined(done.pollUnsafe(), "the supervisor did not give up")
    })
  )

  it.effect("a crash in `initial` on a restart is a crash like any other (counted by the intensity)", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      let incarnations = 0
      const fragile = Agent.make({
        name: "fragile",
        messages: Messages,
        initial: () => {
          incarnations++
          if (incarnations > 1) throw new Error("cannot restart")
          return 0
        },
        handle: (state: number, msg) => {
          if (msg._tag === "Boom") throw new Error("boom")
          return state
        },
        supervision: { intensity: { maxRestarts: 2, within: "1 minute" } }
      })
      const ref = yield* system.spawn(fragile, { id: "fragile" })
      const monitor = yield* system.monitor(ref)
      yield* ref.tell(Boom.make({}))
      const exit = yield* Deferred.await(monitor)
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(incarnations, 3, "the first start and two restarts, then the group gave up")
    }).pipe(Effect.provide(systemLayer()))
  )
})
