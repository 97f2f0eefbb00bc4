/**
 * The example agents module of the deployment recipes (`--agents deploy/agents.ts`): one counter
 * kind, deployed as a cluster agent. A real deployment points `--agents` at its own module, which
 * imports `mabeam/agent` and `mabeam/cluster` and exports its `ClusterAgent`s; every runner and
 * every client of a cluster must load the same kinds.
 *
 * Try it against a running cluster: `node deploy/client.ts 127.0.0.1:9464 STORAGE` (see README).
 */
import { Schema } from "effect"
import { Agent } from "../src/agent/index.ts"
import { ClusterAgent } from "../src/cluster/index.ts"

/** Adds `by` to the counter. */
export const Increment = Agent.message("Increment", { by: Schema.Number })
/** Answers the counter's value. */
export const Get = Agent.request("Get", {}, Schema.Number)

const counter = Agent.make({
  name: "counter",
  messages: Schema.Union([Increment, Get]),
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Increment") return n + msg.by
    ctx.reply(msg, n)
    return n
  }
})

/** The counter on the cluster: its state saved after every change, its messages stored before they are acknowledged. */
export const Counter = ClusterAgent.make(counter, {
  kind: "counter",
  state: Schema.Number,
  replies: { Get: Schema.Number },
  persisted: true
})
