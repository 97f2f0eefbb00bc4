/** Layers and agents shared by the resources tests. */
import { Cause, Effect, Exit, Layer, Schema } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Budgets, Ledger } from "../../src/economics/index.ts"
import { type QuotaConfig, Quotas, Usage } from "../../src/resources/index.ts"

export const Ping = Agent.message("Ping", {})
export const Echo = Agent.request("Echo", { millis: Schema.Number }, Schema.String)
export const Messages = Schema.Union([Ping, Echo])
export type Messages = typeof Messages.Type

/** Counts pings; answers `Echo` after sleeping `millis` on the clock. */
export const Sink = Agent.make({
  name: "sink",
  messages: Messages,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Ping") return n + 1
    return Effect.sleep(msg.millis).pipe(
      Effect.andThen(
        Effect.sync(() => {
          ctx.reply(msg, "pong")
          return n
        })
      )
    )
  }
})

/** Quotas with `config`, over a fresh usage table and an agent system. */
export const quotasLayer = (config: QuotaConfig) =>
  Quotas.layerWith(config).pipe(Layer.provideMerge(Usage.layer), Layer.provideMerge(AgentSystem.layer), Layer.orDie)

/** Quotas with budgets over a ledger. */
export const quotasWithBudgets = (config: QuotaConfig) =>
  Quotas.layerWith(config).pipe(
    Layer.provideMerge(Usage.layer),
    Layer.provideMerge(Budgets.Budgets.layer),
    Layer.provideMerge(Ledger.Ledger.layer),
    Layer.orDie
  )

/** Random garbage, plus strings that sit just outside the boundaries' limits. */
export const Garbage = Schema.Union([
  Schema.Unknown,
  Schema.Literals(["", "*", "a:*:b", "x".repeat(201), "constructor", "__proto__", "toString"]),
  Schema.Int,
  Schema.Finite
])

/**
 * Runs `effect` and names its outcome: `"ok"`, or the failure's `_tag`. A defect or an
 * interruption is a bug at a public boundary and fails the test.
 */
export const outcome = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(effect)
    if (Exit.isSuccess(exit)) return "ok"
    if (Cause.hasDies(exit.cause) || Cause.hasInterrupts(exit.cause)) {
      throw new Error(`defect at a public boundary:\n${Cause.pretty(exit.cause)}`)
    }
    return String((Cause.squash(exit.cause) as { readonly _tag?: unknown })._tag)
  })

/** Runs per property in the fuzz suites. */
export const RUNS = 100
