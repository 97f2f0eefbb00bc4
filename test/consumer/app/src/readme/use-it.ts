/** README "Use it in your Effect app": the whole block, compiled here and run by `main.ts`. */
// README:begin
import { Effect, Schema } from "effect"
import { Agent, AgentSystem, Mabeam } from "mabeam"

const Add = Agent.request("Add", { a: Schema.Number, b: Schema.Number }, Schema.Number)
const Adder = Agent.make({ name: "adder", messages: Add, initial: () => null,
  handle: (state, msg, ctx) => (ctx.reply(msg, msg.a + msg.b), state) })

const program = Effect.gen(function*() {
  const agents = yield* AgentSystem
  const adder = yield* agents.spawn(Adder)
  return yield* adder.ask(Add.make({ a: 2, b: 3 }))          // 5
})
const main = program.pipe(Effect.scoped, Effect.provide(Mabeam.layer()))
// README:end

/** The block's program: `main.ts` runs it and checks it answers 5. */
export const readmeSum = main
