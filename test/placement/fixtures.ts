/** Agents and wiring shared by the placement tests. */
import { Effect, Layer, Schema, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Registry } from "../../src/registry/index.ts"

export const Job = Agent.message("Job", { millis: Schema.Number })
export const Done = Agent.request("Done", {}, Schema.Number)
export const WorkerMessage = Schema.Union([Job, Done])

/** Counts jobs; a job with `millis > 0` sleeps that long on the clock. */
export const Worker = Agent.make({
  name: "worker",
  messages: WorkerMessage,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Done") {
      ctx.reply(msg, n)
      return n
    }
    return msg.millis === 0 ? n + 1 : Effect.as(Effect.sleep(msg.millis), n + 1)
  }
})

/** A worker kind advertising capabilities. */
export const withCapabilities = (name: string, capabilities: ReadonlyArray<string>) => ({
  ...Worker,
  name,
  capabilities
})

export const settle = Effect.gen(function* () {
  for (let i = 0; i < 30; i++) yield* Effect.yieldNow
})

/** An agent system that registers its agents in an in-memory registry. */
export const withSystem = <A, E>(effect: Effect.Effect<A, E, AgentSystem | Registry | Scope.Scope>) =>
  effect.pipe(
    Effect.ensuring(TestClock.adjust("1 minute")),
    Effect.provide(
      AgentSystem.layerWith({ root: { intensity: { maxRestarts: 100, within: "1 minute" } } }).pipe(
        Layer.provideMerge(Registry.layer)
      )
    )
  )
