/**
 * The agents module of the runner tests (`mabeam runner --agents test/runner/agents.ts`): a tally
 * whose messages are stored before they are acknowledged (`persisted: true`), so every
 * acknowledged `Increment` and `Add` survives a drain and a SIGKILL, and a plain counter.
 */
import { Schema } from "effect"
import { Agent } from "../../src/agent/index.ts"
import { ClusterAgent } from "../../src/cluster/index.ts"

/** Adds `by` (acknowledged once stored). */
export const Increment = Agent.message("Increment", { by: Schema.Number })
/** Adds `by` and answers the new total. */
export const Add = Agent.request("Add", { by: Schema.Number }, Schema.Number)
/** Answers the total. */
export const Get = Agent.request("Get", {}, Schema.Number)

const Tally = Agent.make({
  name: "tally",
  messages: Schema.Union([Increment, Add, Get]),
  initial: () => 0,
  handle: (total: number, msg, ctx) => {
    switch (msg._tag) {
      case "Increment":
        return total + msg.by
      case "Add":
        ctx.reply(msg, total + msg.by)
        return total + msg.by
      case "Get":
        ctx.reply(msg, total)
        return total
    }
  }
})

/** The tally on the cluster, its messages stored before they are acknowledged. */
export const DeployTally = ClusterAgent.make(Tally, {
  kind: "deploy-tally",
  state: Schema.Number,
  replies: { Add: Schema.Number, Get: Schema.Number },
  persisted: true,
  askTimeout: "5 seconds"
})

/** The same tally with volatile messages (acknowledged on arrival): an array export is found too. */
export const more = [
  ClusterAgent.make(Tally, {
    kind: "deploy-volatile",
    state: Schema.Number,
    replies: { Add: Schema.Number, Get: Schema.Number }
  })
]
