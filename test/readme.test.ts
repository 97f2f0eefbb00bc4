/** The README's "use it in your Effect app" snippet, verbatim between the markers. */
import { assert, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Agent, AgentSystem, Mabeam } from "../src/index.ts"

it.effect("README snippet: spawn an agent in your Effect app and ask it", () =>
  Effect.gen(function*() {
    // README:begin
    const Add = Agent.request("Add", { a: Schema.Number, b: Schema.Number }, Schema.Number)
    const Adder = Agent.make({ name: "adder", messages: Add, initial: () => null,
      handle: (state, msg, ctx) => (ctx.reply(msg, msg.a + msg.b), state) })
    const sum = yield* AgentSystem.use((agents) => agents.spawn(Adder)).pipe(
      Effect.flatMap((adder) => adder.ask(Add.make({ a: 2, b: 3 }))), Effect.provide(Mabeam.layer()))
    // README:end
    assert.strictEqual(sum, 5)
  }))
