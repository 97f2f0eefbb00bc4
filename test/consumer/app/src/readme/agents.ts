/** README "Agents and supervision": the block inside a program that has an AgentSystem. */
import { Effect, Schema } from "effect"
import { Agent, AgentSystem } from "mabeam"

export const agentsBlock = Effect.gen(function*() {
  const agents = yield* AgentSystem
  // README:begin
  const Increment = Agent.message("Increment", { by: Schema.Number })
  const Get = Agent.request("Get", {}, Schema.Number)          // ask(Get) answers a number
  const Counter = Agent.make({
    name: "counter",
    messages: Schema.Union([Increment, Get]),
    capabilities: ["counting"],                                 // advertised in the registry
    mailbox: { capacity: 1024, overflow: "backpressure" },      // or "drop-newest" | "fail"
    supervision: { intensity: { maxRestarts: 50, within: "10 seconds" } }, // this definition's group
    initial: () => 0,                                           // or an Effect; re-run on every restart
    handle: (count, msg, ctx) => {                              // returns the next state (or an Effect of it)
      switch (msg._tag) {
        case "Increment": return count + msg.by
        case "Get": ctx.reply(msg, count); return count
      }
    }
  })
  const counter = yield* agents.spawn(Counter, { restart: "transient" }) // returns once `initial` ran
  yield* counter.tell(Increment.make({ by: 2 }))
  const n = yield* counter.ask(Get.make({}), { timeout: "1 second" })
  // AskTimeout | AgentStopped (with the crash's cause) | MailboxFull | NoReply | SelfAsk | InvalidInput
  // README:end
  return n
})
