/**
 * Garbage at every public boundary of resources: only typed errors (never a defect, never a
 * hang: every limit sheds), and a refused call changes no state. `RUNS` inputs per boundary.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { EventStore } from "../../src/events/index.ts"
import { Alerts, Quotas, Usage } from "../../src/resources/index.ts"
import { Garbage, outcome, Ping, quotasWithBudgets, RUNS, Sink } from "./fixtures.ts"

const config = {
  agents: {
    messagesPerSecond: { limit: 5, policy: "shed" },
    concurrentAsks: { limit: 2, policy: "shed" },
    mailboxDepth: { limit: 2, policy: "shed" },
    spawns: { limit: 2, policy: "shed" },
    cpuMillisPerRun: { limit: 10, policy: "shed" }
  },
  groups: { team: { messagesPerSecond: { limit: 8, policy: "shed" } } },
  membership: { a: "team" },
  budgets: { a: "a-budget" }
} as const

const fresh = Layer.fresh(quotasWithBudgets(config).pipe(Layer.provideMerge(AgentSystem.layer)))
const options = { arbitrary: { runs: RUNS, seed: 11 } }
const Agent = Schema.Union([Schema.Literals(["a", "b"]), Garbage])

/** Everything observable about the quota state of agents "a" and "b". */
const snapshot = Effect.gen(function* () {
  const quotas = yield* Quotas
  const usage = yield* Usage
  return JSON.stringify({
    usage: (yield* usage.all).map((u) => ({ ...u, spent: String(u.spent) })),
    a: yield* quotas.status("a"),
    b: yield* quotas.status("b"),
    paused: [yield* quotas.isPaused("a"), yield* quotas.isPaused("b")]
  })
})

/** Runs each call in turn on one fresh service; a call refused as bad input must leave the snapshot as it was. */
const unchangedOnFailure = (
  calls: ReadonlyArray<Effect.Effect<unknown, unknown, Quotas | Usage | AgentSystem>>,
  allowed: ReadonlyArray<string>
) =>
  Effect.gen(function* () {
    for (const call of calls) {
      const before = yield* snapshot
      const tag = yield* outcome(call)
      assert.include(["ok", ...allowed], tag)
      if (tag !== "ok" && tag !== "QuotaExceeded") assert.strictEqual(yield* snapshot, before)
    }
  }).pipe(Effect.provide(fresh))

describe("resources: fuzzed boundaries", () => {
  it.effect.prop(
    "Quotas.check(agent, cost)",
    [Agent, Garbage],
    ([agent, cost]) =>
      unchangedOnFailure(
        [Effect.flatMap(Quotas, (q) => q.check(agent as string, cost as number))],
        ["InvalidInput", "QuotaExceeded"]
      ),
    options
  )

  it.effect.prop(
    "Quotas.acquire / acquireScoped(agent, quota)",
    [Agent, Garbage],
    ([agent, quota]) =>
      unchangedOnFailure(
        [Effect.flatMap(Quotas, (q) => Effect.scoped(q.acquireScoped(agent as string, quota as "spawns")))],
        ["InvalidInput", "QuotaExceeded"]
      ),
    options
  )

  it.effect.prop(
    "Quotas.checkDepth(agent, target, depth)",
    [Agent, Agent, Garbage],
    ([agent, target, depth]) =>
      unchangedOnFailure(
        [Effect.flatMap(Quotas, (q) => q.checkDepth(agent as string, target as string, () => depth as number))],
        ["InvalidInput", "QuotaExceeded"]
      ),
    options
  )

  it.effect.prop(
    "Quotas.meter(agent, run)",
    [Agent],
    ([agent]) =>
      unchangedOnFailure(
        [Effect.flatMap(Quotas, (q) => q.meter(agent as string, Effect.succeed(1)))],
        ["InvalidInput"]
      ),
    options
  )

  it.effect.prop(
    "Quotas.spend(agent, request)",
    [Agent, Garbage, Garbage],
    ([agent, to, amount]) =>
      unchangedOnFailure(
        [Effect.flatMap(Quotas, (q) => q.spend(agent as string, { to: to as string, amount: amount as bigint }))],
        ["InvalidInput", "UnknownBudget", "BudgetExceeded", "UnknownAccount", "InsufficientFunds"]
      ),
    options
  )

  it.effect.prop(
    "Quotas.spawn(parent, definition)",
    [Agent],
    ([parent]) =>
      unchangedOnFailure(
        [Effect.flatMap(Quotas, (q) => q.spawn(parent as string, Sink))],
        ["InvalidInput", "QuotaExceeded"]
      ),
    options
  )

  it.effect.prop(
    "Quotas.guard(ref, agent).tell",
    [Agent],
    ([agent]) =>
      unchangedOnFailure(
        [
          Effect.gen(function* () {
            const ref = yield* (yield* AgentSystem).spawn(Sink)
            const guarded = yield* (yield* Quotas).guard(ref, agent as string)
            yield* guarded.tell(Ping.make({}))
          })
        ],
        ["InvalidInput", "QuotaExceeded"]
      ),
    options
  )

  it.effect.prop(
    "Quotas.assign / pause / resume / isPaused / status",
    [Agent, Garbage, Garbage],
    ([agent, group, millis]) =>
      unchangedOnFailure(
        [
          Effect.flatMap(Quotas, (q) => q.assign(agent as string, group as string)),
          Effect.flatMap(Quotas, (q) => q.pause(agent as string, millis as number)),
          Effect.flatMap(Quotas, (q) => q.resume(agent as string)),
          Effect.flatMap(Quotas, (q) => q.isPaused(agent as string)),
          Effect.flatMap(Quotas, (q) => q.status(agent as string))
        ],
        ["InvalidInput"]
      ),
    options
  )

  it.effect.prop(
    "Usage.of / Usage.top",
    [Agent, Garbage, Garbage],
    ([agent, n, by]) =>
      unchangedOnFailure(
        [
          Effect.flatMap(Usage, (u) => u.of(agent as string)),
          Effect.flatMap(Usage, (u) => u.top(n as number, by as "messages"))
        ],
        ["InvalidInput"]
      ),
    options
  )

  it.effect.prop(
    "Quotas.layerWith(config)",
    [Garbage],
    ([raw]) =>
      Effect.gen(function* () {
        const tag = yield* outcome(Layer.build(Quotas.layerWith(raw as never).pipe(Layer.provide(Usage.layer))))
        assert.include(["ok", "InvalidInput"], tag)
      }),
    options
  )

  it.effect.prop(
    "Alerts.layerWith(rules)",
    [Schema.Array(Garbage)],
    ([rules]) =>
      Effect.gen(function* () {
        const layer = Alerts.layerWith({ rules: rules as never }).pipe(
          Layer.provide(Usage.layer),
          Layer.provide(Layer.orDie(EventStore.layerMemory()))
        )
        assert.include(["ok", "InvalidInput"], yield* outcome(Layer.build(layer)))
      }),
    options
  )
})
