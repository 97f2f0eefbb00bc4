/**
 * gen_server conformance for deferred replies (`{noreply, State}` + `gen_server:reply(From, R)`):
 * a handler keeps the reply handle, the mailbox goes on, and the reply comes later — from a later
 * message or from a fiber that asked another agent. Overlapping requests are answered in
 * completion order; a reply still owed when the agent crashes fails its caller.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schema } from "effect"
import { Agent, AgentSystem, type ReplyHandle } from "../../src/agent/index.ts"
import { Ping, settle, systemLayer, worker } from "./fixtures.ts"

const Wait = Agent.request("Wait", { key: Schema.String }, Schema.String)
const Release = Agent.message("Release", { key: Schema.String })
const Relay = Agent.request("Relay", { to: Schema.String }, Schema.String)
const Crash = Agent.message("Crash", {})
const Peek = Agent.request("Peek", {}, Schema.Number)

type Waiting = ReadonlyMap<string, ReplyHandle<string>>

/** Parks `Wait`s until the matching `Release`; `Relay` asks another agent from a forked fiber. */
const Desk = Agent.make({
  name: "desk",
  messages: Schema.Union([Wait, Release, Relay, Crash, Peek]),
  initial: (): Waiting => new Map(),
  handle: (waiting: Waiting, msg, ctx) => {
    switch (msg._tag) {
      case "Wait":
        return new Map([...waiting, [msg.key, ctx.defer(msg)]])
      case "Release": {
        waiting.get(msg.key)?.reply(`released ${msg.key}`)
        const rest = new Map(waiting)
        rest.delete(msg.key)
        return rest
      }
      case "Relay": {
        const handle = ctx.defer(msg)
        return Effect.gen(function* () {
          const system = yield* AgentSystem
          const other = yield* Effect.fromOption(system.lookup(msg.to)).pipe(Effect.orDie)
          yield* Effect.forkChild(
            Effect.flatMap(Effect.orDie(other.ask(Ping.make({}))), (answer) =>
              Effect.sync(() => handle.reply(`${msg.to} said ${String(answer)}`))
            )
          )
          return waiting
        })
      }
      case "Crash":
        throw new Error("desk crashed")
      case "Peek":
        ctx.reply(msg, waiting.size)
        return waiting
    }
  }
})

describe("gen_server: deferred replies", () => {
  it.effect("overlapping deferred requests are answered in completion order, and the mailbox is not blocked", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const desk = yield* system.spawn(Desk)
      const order: Array<string> = []
      const a = yield* Effect.forkChild(
        Effect.tap(desk.ask(Wait.make({ key: "a" })), (r) => Effect.sync(() => order.push(r)))
      )
      const b = yield* Effect.forkChild(
        Effect.tap(desk.ask(Wait.make({ key: "b" })), (r) => Effect.sync(() => order.push(r)))
      )
      yield* settle
      assert.strictEqual(yield* desk.ask(Peek.make({})), 2, "both are parked and the desk still answers")
      yield* desk.tell(Release.make({ key: "b" }))
      yield* settle
      assert.deepStrictEqual(order, ["released b"])
      yield* desk.tell(Release.make({ key: "a" }))
      assert.strictEqual(yield* Fiber.join(a), "released a")
      assert.strictEqual(yield* Fiber.join(b), "released b")
      assert.deepStrictEqual(order, ["released b", "released a"])
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect("a reply given after asking another agent, from a fiber the handler forked", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      yield* system.spawn(worker("echo"), { id: "echo" })
      const desk = yield* system.spawn(Desk)
      assert.strictEqual(yield* desk.ask(Relay.make({ to: "echo" })), "echo said pong")
    }).pipe(Effect.provide(systemLayer()))
  )

  it.effect("a reply still owed when the agent crashes fails its caller with AgentStopped", () =>
    Effect.gen(function* () {
      const system = yield* AgentSystem
      const desk = yield* system.spawn(Desk)
      const waiting = yield* Effect.forkChild(Effect.flip(desk.ask(Wait.make({ key: "x" }))))
      yield* settle
      assert.strictEqual(yield* desk.ask(Peek.make({})), 1, "the request is parked, its caller waiting")
      yield* desk.tell(Crash.make({}))
      const error = yield* Fiber.join(waiting)
      assert.strictEqual(error._tag, "AgentStopped")
      assert.strictEqual(error._tag === "AgentStopped" ? error.reason : "", "crashed")
    }).pipe(Effect.provide(systemLayer()))
  )
})
