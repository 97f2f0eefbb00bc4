/** README "Scaling out on effect/cluster": the block, with the counter agent it talks about. */
import { Effect, Schema } from "effect"
import { Agent } from "mabeam"
import { ClusterAgent } from "mabeam/cluster"

const Increment = Agent.message("Increment", { by: Schema.Number })
const Get = Agent.request("Get", {}, Schema.Number)
const counter = Agent.make({
  name: "counter",
  messages: Schema.Union([Increment, Get]),
  initial: () => 0,
  handle: (count: number, msg, ctx) => {
    if (msg._tag === "Increment") return count + msg.by
    ctx.reply(msg, count)
    return count
  }
})

export const clusterBlock = Effect.gen(function*() {
  // README:begin
  const Counter = ClusterAgent.make(counter, { state: Schema.Number, replies: { Get: Schema.Number } })
  const refs = yield* Counter.client          // on any runner
  yield* refs("counter-42").tell(Increment.make({ by: 1 }))
  const n = yield* refs("counter-42").ask(Get.make({}))
  // README:end
  return n
})
