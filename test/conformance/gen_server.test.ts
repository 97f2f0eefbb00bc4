/**
 * OTP `gen_server` conformance for agents: `call` to self fails at once (`calling_self`), a crash
 * is reported (logged with its cause, on the restart event and in the failed call), stopping a
 * stopped server says so, a call whose caller gave up is dropped and counted, and options that
 * get past the types are typed `InvalidInput` at the call.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Fiber, Layer, Logger, Queue, References, Schema, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"
import { Ping, settle, systemLayer, worker } from "./fixtures.ts"

const AskSelf = Agent.request("AskSelf", {}, Schema.String)
const Sleep = Agent.request("Sleep", { millis: Schema.Number }, Schema.String)
const Blow = Agent.request("Blow", {}, Schema.String)

/** An agent that asks itself (with no timeout), sleeps on the clock, or crashes while answering. */
const Narcissist = Agent.make({
  name: "narcissist",
  messages: Schema.Union([AskSelf, Sleep, Blow, Ping]),
  initial: () => 0,
  handle: (state: number, msg, ctx) => {
    switch (msg._tag) {
      case "AskSelf":
        return Effect.gen(function* () {
          const error = yield* Effect.flip(ctx.self.ask(Ping.make({}), { timeout: "365 days" }))
          ctx.reply(msg, error._tag)
          return state
        })
      case "Sleep":
        return Effect.as(Effect.sleep(msg.millis), state)
      case "Blow":
        return Effect.die(new Error("blown up"))
      case "Ping":
        ctx.reply(msg, "pong")
        return state
    }
  }
})

const logged: Array<{ readonly level: string; readonly text: string; readonly annotations: Record<string, unknown> }> =
  []
const capture = Logger.make(({ cause, logLevel, message, fiber }) => {
  const parts = message as Array<unknown>
  logged.push({
    level: logLevel,
    text: [...parts.map(String), Cause.pretty(cause)].join(" "),
    annotations: { ...fiber.getRef(References.CurrentLogAnnotations) }
  })
})

describe("gen_server: calls and crashes", () => {
  it.effect("an agent that asks itself fails at once with SelfAsk, even with a year-long timeout", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const ref = yield* system.spawn(Narcissist)
      assert.strictEqual(yield* ref.ask(AskSelf.make({}), { timeout: "1 second" }), "SelfAsk")
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect(
    "a crash is logged with its cause, agent id and restart count; the restart event and the failed ask carry the cause",
    () =>
      Effect.gen(function* () {
        logged.length = 0
        const system = yield* AgentSystem
        const events = yield* Stream.toQueue(
          Stream.filter(system.events, (event) => event._tag === "AgentRestarted"),
          { capacity: 8 }
        )
        yield* settle
        const ref = yield* system.spawn(Narcissist, { id: "fragile" })
        const error = yield* Effect.flip(ref.ask(Blow.make({})))
        assert.strictEqual(error._tag, "AgentStopped")
        if (error._tag !== "AgentStopped") return
        assert.strictEqual(error.reason, "crashed")
        assert.strictEqual((error.cause as Error).message, "blown up")
        assert.include(error.message, "blown up")
        const restarted = yield* Queue.take(events)
        assert.isTrue(restarted._tag === "AgentRestarted" && Cause.pretty(restarted.cause).includes("blown up"))
        const crash = logged.find((line) => line.text.includes("fragile"))
        assert.isDefined(crash, "the crash was logged")
        assert.strictEqual(crash!.level, "Debug")
        assert.include(crash!.text, "blown up")
        assert.deepInclude(crash!.annotations, { agent: "fragile", kind: "narcissist", restarts: 0 })
      }).pipe(
        Effect.provide(systemLayer()),
        Effect.provide(Logger.layer([capture])),
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
  )

  it.effect("stop of an agent that already stopped is AgentNotRunning", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const ref = yield* system.spawn(worker("w"))
      yield* system.stop(ref)
      const error = yield* Effect.flip(system.stop(ref))
      assert.strictEqual(error._tag, "AgentNotRunning")
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect("an ask whose caller timed out is dropped when reached, and counted as a dead letter", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const ref = yield* system.spawn(Narcissist)
      const busy = yield* Effect.forkChild(ref.ask(Sleep.make({ millis: 10_000 }), { timeout: "1 minute" }))
      yield* settle
      const late = yield* Effect.forkChild(Effect.flip(ref.ask(Ping.make({}), { timeout: "1 second" })))
      yield* settle
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(late))._tag, "AskTimeout")
      yield* TestClock.adjust("10 seconds")
      yield* settle
      yield* Fiber.await(busy)
      const dead = yield* system.deadLetters
      assert.strictEqual(dead["caller-timed-out"], 1)
    }).pipe(Effect.provide(systemLayer()))
  )
})

describe("gen_server: options past the types are InvalidInput at the call", () => {
  for (const timeout of ["banana", -5, Number.NaN]) {
    it.effect(`ask with timeout ${String(timeout)}`, () =>
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const ref = yield* system.spawn(worker("w"))
        const error = yield* Effect.flip(ref.ask(Ping.make({}), { timeout: timeout as never }))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.strictEqual(yield* ref.ask(Ping.make({})), "pong", "the agent is untouched")
      }).pipe(Effect.provide(systemLayer()))
    )
  }

  it.effect("a mailbox overflow policy that does not exist fails spawn, not the first full mailbox", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const explode = { ...worker("w"), mailbox: { capacity: 1, overflow: "explode" as never } }
      const error = yield* Effect.flip(system.spawn(explode))
      assert.strictEqual(error._tag, "InvalidInput")
      assert.strictEqual(system.size(), 0)
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect("maxRestarts -1 fails Supervisor.make and the system's layer", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Supervisor.make({ intensity: { maxRestarts: -1, within: "1 second" } }))
      assert.strictEqual(error._tag, "InvalidInput")
      const layerError = yield* Effect.flip(
        Layer.build(AgentSystem.layerWith({ root: { intensity: { maxRestarts: -1, within: "1 second" } } }))
      )
      assert.strictEqual(layerError._tag, "InvalidInput")
      const askError = yield* Effect.flip(Layer.build(AgentSystem.layerWith({ askTimeout: -1 })))
      assert.strictEqual(askError._tag, "InvalidInput")
    })
  )

  it.effect("a bad restart type at spawn is InvalidInput", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const error = yield* Effect.flip(system.spawn(worker("w"), { restart: "sometimes" as never }))
      assert.strictEqual(error._tag, "InvalidInput")
    }).pipe(Effect.provide(systemLayer()))
  )
})
