/**
 * The counter agent the cluster benches deploy: `Add` adds to its count, `Get` answers it.
 * `counterAgent(kind)` gives the definition and its cluster deployment under entity type `kind`.
 */
import { Schema } from "effect"
import { Agent } from "../../src/agent/index.ts"
import { ClusterAgent } from "../../src/cluster/index.ts"

/** Adds `n` to the count. */
export const Add = Agent.message("Add", { n: Schema.Number })
/** Answers the count. */
export const Get = Agent.request("Get", {}, Schema.Number)
/** The counter's messages. */
export const CounterMessages = Schema.Union([Add, Get])
/** The counter's messages. */
export type CounterMessage = typeof CounterMessages.Type
/** A ready `Get`. */
export const get = Get.make({})
/** A ready `Add` of 1. */
export const add = Add.make({ n: 1 })

/** The counter named `kind`, and the same deployed as a cluster agent of that kind. */
export const counterAgent = (kind: string) => {
  const definition = Agent.make({
    name: kind,
    messages: CounterMessages,
    initial: () => 0,
    handle: (n: number, msg, ctx) => {
      if (msg._tag === "Get") {
        ctx.reply(msg, n)
        return n
      }
      return n + msg.n
    }
  })
  return {
    definition,
    deployed: ClusterAgent.make(definition, {
      state: Schema.Number,
      replies: { Get: Schema.Number },
      maxIdleTime: "10 minutes"
    })
  }
}
