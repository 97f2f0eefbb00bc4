/** Agent definitions shared by the agent tests. */
import { Effect, Schema } from "effect"
import { Agent } from "../../src/agent/index.ts"

export const Increment = Agent.message("Increment", { by: Schema.Number })
export const Get = Agent.request("Get", {}, Schema.Number)
export const Crash = Agent.message("Crash", {})
export const CrashOnAsk = Agent.request("CrashOnAsk", {}, Schema.Number)
export const Silent = Agent.request("Silent", {}, Schema.String)
export const Slow = Agent.request("Slow", { millis: Schema.Number }, Schema.String)
export const CounterMessage = Schema.Union([Increment, Get, Crash, CrashOnAsk, Silent, Slow])
export type CounterMessage = typeof CounterMessage.Type

/** A counter: the state is a number, `Crash` dies, `Slow` sleeps on the clock before replying. */
export const Counter = Agent.make({
  name: "counter",
  messages: CounterMessage,
  initial: () => 0,
  handle: (count: number, msg, ctx) => {
    switch (msg._tag) {
      case "Increment":
        return count + msg.by
      case "Get":
        ctx.reply(msg, count)
        return count
      case "Crash":
        throw new Error("crash requested")
      case "CrashOnAsk":
        return Effect.die(new Error("crash while answering"))
      case "Silent":
        return count
      case "Slow":
        return Effect.sleep(msg.millis).pipe(
          Effect.andThen(
            Effect.sync(() => {
              ctx.reply(msg, "done")
              return count
            })
          )
        )
    }
  }
})
