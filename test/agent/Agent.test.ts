import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, Effect, Exit, Fiber, Layer, Option, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Counter, Crash, CrashOnAsk, Get, Increment, Silent, Slow } from "./fixtures.ts"

const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

const withSystem = <A, E>(effect: Effect.Effect<A, E, AgentSystem | Scope.Scope>) =>
  effect.pipe(Effect.provide(AgentSystem.layerWith({ root: { intensity: { maxRestarts: 100, within: "1 minute" } } })))

describe("Agent", () => {
  it.effect("threads state through the handler and answers asks with typed replies", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const counter = yield* system.spawn(Counter)
        yield* counter.tell(Increment.make({ by: 2 }))
        yield* counter.tell(Increment.make({ by: 3 }))
        const value: number = yield* counter.ask(Get.make({}))
        assert.strictEqual(value, 5)
        assert.match(counter.id, /^counter-\d+$/)
      })
    )
  )

  it.effect("an ask that gets no reply in time fails with AskTimeout on the clock", () =>
    withSystem(
      Effect.gen(function* () {
        const counter = yield* (yield* AgentSystem).spawn(Counter, { id: "slowpoke" })
        const fiber = yield* Effect.forkChild(
          Effect.flip(counter.ask(Slow.make({ millis: 10_000 }), { timeout: "1 second" }))
        )
        yield* TestClock.adjust("1 second")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "AskTimeout")
        assert.strictEqual(error.message, `agent "slowpoke" did not reply to Slow within 1000 ms`)
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual(yield* counter.ask(Get.make({})), 0, "a late reply is dropped and the agent goes on")
      })
    )
  )

  it.effect("a handler that returns without replying fails the ask with NoReply", () =>
    withSystem(
      Effect.gen(function* () {
        const counter = yield* (yield* AgentSystem).spawn(Counter)
        const error = yield* Effect.flip(counter.ask(Silent.make({})))
        assert.strictEqual(error._tag, "NoReply")
      })
    )
  )

  it.effect("a crash restarts the agent with fresh state, keeps queued messages, counts the lost one", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const counter = yield* system.spawn(Counter)
        yield* counter.tell(Increment.make({ by: 10 }))
        yield* counter.tell(Crash.make({}))
        yield* counter.tell(Increment.make({ by: 1 }))
        yield* settle
        assert.strictEqual(yield* counter.ask(Get.make({})), 1)
        const dead = yield* system.deadLetters
        assert.strictEqual(dead["handler-crashed"], 1)
        const group = Option.getOrThrow(system.group("counter"))
        assert.deepStrictEqual(yield* group.children, [
          { id: counter.id, running: true, restarts: 1, status: "running", type: "worker", restart: "permanent" }
        ])
        // Increment, Crash, Increment and Get: the count survives the restart.
        assert.strictEqual(counter.handledCount(), 4)
      })
    )
  )

  it.effect("the ask being handled when the agent crashes fails with AgentStopped", () =>
    withSystem(
      Effect.gen(function* () {
        const counter = yield* (yield* AgentSystem).spawn(Counter)
        const error = yield* Effect.flip(counter.ask(CrashOnAsk.make({})))
        assert.strictEqual(error._tag === "AgentStopped" && error.reason, "crashed")
        assert.strictEqual(yield* counter.ask(Get.make({})), 0)
      })
    )
  )

  it.effect("stop drains the mailbox, then tells and asks fail with AgentStopped", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const counter = yield* system.spawn(Counter)
        const pending = yield* Effect.forkChild(counter.ask(Get.make({})))
        yield* settle
        yield* counter.tell(Increment.make({ by: 1 }))
        yield* system.stop(counter)
        assert.strictEqual(yield* Fiber.join(pending), 0)
        assert.isFalse(counter.isAlive())
        assert.strictEqual((yield* Effect.flip(counter.tell(Increment.make({ by: 1 }))))._tag, "AgentStopped")
        assert.strictEqual((yield* Effect.flip(counter.ask(Get.make({}))))._tag, "AgentStopped")
        assert.isFalse(counter.tellUnsafe(Increment.make({ by: 1 })))
        assert.strictEqual((yield* system.deadLetters)["agent-stopped"], 3)
        assert.strictEqual(system.size(), 0)
      })
    )
  )

  it.effect("overflow policy fail: a full mailbox rejects with MailboxFull and counts it", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const small = yield* system.spawn({ ...Counter, mailbox: { capacity: 2, overflow: "fail" } })
        yield* small.tell(Increment.make({ by: 1 }))
        yield* small.tell(Increment.make({ by: 1 }))
        const error = yield* Effect.flip(small.tell(Increment.make({ by: 1 })))
        assert.strictEqual(error._tag, "MailboxFull")
        assert.strictEqual((yield* system.deadLetters)["mailbox-full"], 1)
        yield* settle
        assert.strictEqual(yield* small.ask(Get.make({})), 2)
      })
    )
  )

  it.effect("overflow policy drop-newest: the sender goes on, the drop is counted", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const small = yield* system.spawn({ ...Counter, mailbox: { capacity: 1, overflow: "drop-newest" } })
        yield* small.tell(Increment.make({ by: 1 }))
        yield* small.tell(Increment.make({ by: 100 }))
        const dropped = yield* Effect.flip(small.ask(Get.make({})))
        assert.strictEqual(dropped._tag, "MailboxFull", "a dropped ask fails at once instead of waiting")
        yield* settle
        assert.strictEqual(yield* small.ask(Get.make({})), 1)
        assert.strictEqual((yield* system.deadLetters)["mailbox-full"], 2)
      })
    )
  )

  it.effect("overflow policy backpressure: the sender waits for room and nothing is lost", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const small = yield* system.spawn({ ...Counter, mailbox: { capacity: 2, overflow: "backpressure" } })
        yield* Effect.forEach(
          Array.from({ length: 50 }, () => Increment.make({ by: 1 })),
          (msg) => small.tell(msg)
        )
        assert.strictEqual(yield* small.ask(Get.make({})), 50)
        assert.strictEqual((yield* system.deadLetters)["mailbox-full"], 0)
      })
    )
  )

  it.effect("monitor completes with the final exit; a restart does not complete it", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const counter = yield* system.spawn(Counter, { restart: "transient" })
        const monitor = yield* system.monitor(counter)
        yield* counter.tell(Crash.make({}))
        yield* settle
        assert.isFalse(yield* Deferred.isDone(monitor))
        yield* system.stop(counter)
        const exit = yield* Deferred.await(monitor)
        assert.isTrue(Exit.isSuccess(exit))
      })
    )
  )

  it.effect("links: when one agent crashes, the linked agent crashes too", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const a = yield* system.spawn(Counter, { restart: "temporary" })
        const b = yield* system.spawn(Counter, { restart: "temporary" })
        yield* system.link(a, b)
        const watchB = yield* system.monitor(b)
        yield* a.tell(Crash.make({}))
        const exit = yield* Deferred.await(watchB)
        assert.isTrue(Exit.isFailure(exit))
        assert.match(String(Exit.isFailure(exit) ? exit.cause : ""), /LinkedAgentFailed/)
      })
    )
  )

  it.effect("lifecycle events: started, restarted, stopped", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const seen = yield* Effect.forkChild(
          system.events.pipe(
            Stream.filter((event) => event._tag !== "DeadLetter"),
            Stream.take(3),
            Stream.runCollect
          )
        )
        yield* settle
        const counter = yield* system.spawn(Counter, { id: "c" })
        yield* counter.tell(Crash.make({}))
        yield* settle
        yield* system.stop(counter)
        const events = yield* Fiber.join(seen)
        assert.deepStrictEqual(
          events.map((event) => event._tag),
          ["AgentStarted", "AgentRestarted", "AgentStopped"]
        )
      })
    )
  )

  it.effect("closing the system's scope stops every agent and fails their pending asks", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const system = Context.get(yield* Layer.buildWithScope(AgentSystem.layer, scope), AgentSystem)
      const refs = yield* Effect.forEach(Array.from({ length: 100 }), () => system.spawn(Counter))
      const pending = yield* Effect.forkChild(
        Effect.flip(refs[0]!.ask(Slow.make({ millis: 60_000 }), { timeout: "1 minute" }))
      )
      yield* settle
      assert.strictEqual(system.size(), 100)
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      // The idle agents stop at once; the busy one gets its 5 s shutdown timeout, then is interrupted.
      for (let turn = 0; turn < 10_000 && system.size() > 1; turn++) yield* Effect.yieldNow
      assert.strictEqual(system.size(), 1)
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(closing)
      assert.strictEqual(system.size(), 0)
      assert.isTrue(refs.every((ref) => !ref.isAlive()))
      assert.strictEqual((yield* Fiber.join(pending))._tag, "AgentStopped")
    })
  )

  it.effect("bad spawn input is a typed error and starts nothing", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const badId = yield* Effect.flip(system.spawn(Counter, { id: "" }))
        assert.strictEqual(badId._tag, "InvalidInput")
        const badCapacity = yield* Effect.flip(system.spawn({ ...Counter, mailbox: { capacity: 0 } }))
        assert.strictEqual(badCapacity._tag, "InvalidInput")
        const badShutdown = yield* Effect.flip(system.spawn(Counter, { shutdown: ".5 millis" }))
        assert.strictEqual(badShutdown._tag, "InvalidInput")
        assert.match(badShutdown.message, /shutdown/)
        yield* system.spawn(Counter, { id: "one" })
        const taken = yield* Effect.flip(system.spawn(Counter, { id: "one" }))
        assert.strictEqual(taken._tag, "AgentIdTaken")
        assert.strictEqual(system.size(), 1)
      })
    )
  )

  it.effect("an effectful initial state is computed again on every restart", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        let inits = 0
        const Reset = Agent.make({
          ...Counter,
          name: "reset",
          initial: () => Effect.sync(() => ++inits * 100)
        })
        const agent = yield* system.spawn(Reset)
        assert.strictEqual(yield* agent.ask(Get.make({})), 100)
        yield* agent.tell(Crash.make({}))
        assert.strictEqual(yield* agent.ask(Get.make({})), 200)
      })
    )
  )
})
