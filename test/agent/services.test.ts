import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Schema } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"

/** A service the agent reads in `initial` and in its handler. */
class Base extends Context.Service<Base, { readonly value: number }>()("test/Base") {}

const Crash = Agent.message("Crash", {})
const Get = Agent.request("Get", {}, Schema.Number)
const Reader = Agent.make({
  name: "reader",
  messages: Schema.Union([Crash, Get]),
  initial: () => Effect.map(Effect.service(Base), (base) => base.value),
  handle: (state: number, msg, ctx) =>
    Effect.gen(function* () {
      if (msg._tag === "Crash") return yield* Effect.die("boom")
      const base = yield* Base
      ctx.reply(msg, state + base.value)
      return state
    })
})

const withSystem = <A, E>(effect: Effect.Effect<A, E, AgentSystem>) =>
  effect.pipe(Effect.provide(AgentSystem.layerWith({ root: { intensity: { maxRestarts: 100, within: "1 minute" } } })))

describe("an agent's services", () => {
  it.effect("are the spawner's, in the first incarnation and in every restart", () =>
    withSystem(
      Effect.scoped(
        Effect.gen(function* () {
          const system = yield* AgentSystem
          // Made where Base is not provided: the restart is forked by this supervisor's fiber.
          const supervisor = yield* Supervisor.make({ name: "plain" })
          const ref = yield* system.spawn(Reader, { supervisor }).pipe(Effect.provideService(Base, { value: 20 }))
          assert.strictEqual(yield* ref.ask(Get.make({})), 40)
          yield* ref.tell(Crash.make({}))
          assert.strictEqual(yield* ref.ask(Get.make({})), 40)
          assert.strictEqual((yield* supervisor.children)[0]?.restarts, 1)
        })
      )
    )
  )
})
