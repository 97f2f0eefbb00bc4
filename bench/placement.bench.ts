/**
 * Placement and monitoring costs, each beside a plain baseline in the same run: one routing
 * decision per strategy vs indexing an array, a registry-backed `route` per message, and one
 * monitor sample per agent with 10k agents vs reading every mailbox size by hand.
 *
 * Each timed case runs a batch (ops = batch size), so the figures are per decision / per agent.
 */
import { Context, Effect, Layer, Schema, Scope } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../src/agent/index.ts"
import { Monitor } from "../src/monitor/index.ts"
import { Router, type RouterShape, type Strategy } from "../src/placement/index.ts"
import { Registry } from "../src/registry/index.ts"
import { defineBench } from "./lib/index.ts"

const Ping = Agent.message("Ping", {})
const Sink = Agent.make({
  name: "sink",
  messages: Schema.Union([Ping]),
  initial: () => 0,
  handle: (n: number) => n + 1
})

const scope = Scope.makeUnsafe()
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
let context: Context.Context<AgentSystem | Registry | Monitor>
const strategies: ReadonlyArray<Strategy> = [
  "round-robin",
  "random",
  "least-loaded",
  "power-of-two",
  "capability-match"
]
const routers = new Map<Strategy, RouterShape>()
const cachedRouters = new Map<Strategy, RouterShape>()
let small: Array<AgentRef<unknown>> = []
let large: Array<AgentRef<unknown>> = []
let monitored: Array<AgentRef<unknown>> = []

const PICKS = 100_000
const ROUTES = 2_000
const MONITORED = 10_000

const setup = async () => {
  if (context !== undefined) return
  const layer = Monitor.layerWith({ intervalMillis: 86_400_000, maxAgents: 100_000 }).pipe(
    Layer.provideMerge(AgentSystem.layerWith({ root: { intensity: { maxRestarts: 1_000, within: "1 second" } } })),
    Layer.provideMerge(Registry.layer)
  )
  context = await run(Layer.buildWithScope(layer, scope))
  const spawn = (n: number, kind: string) =>
    run(
      Effect.forEach(
        Array.from({ length: n }),
        () =>
          Context.get(context, AgentSystem).spawn({ ...Sink, name: kind }) as Effect.Effect<AgentRef<unknown>, unknown>
      )
    )
  small = await spawn(16, "small")
  large = await spawn(1_000, "large")
  for (const strategy of strategies) {
    routers.set(
      strategy,
      await run(Router.make({ strategy, selector: { name: "small" } }).pipe(Effect.provideContext(context)))
    )
    cachedRouters.set(
      strategy,
      await run(
        Router.makeCached({ strategy, selector: { name: "small" } }).pipe(
          Effect.provideContext(context),
          Scope.provide(scope)
        )
      )
    )
  }
}

const pickGroup = (size: "16" | "1k") => {
  const refs = () => (size === "16" ? small : large)
  let sink = 0
  return {
    group: `router pick over ${size} agents, per decision`,
    setup,
    baseline: {
      name: "array[i % n]",
      ops: PICKS,
      fn: () => {
        const pool = refs()
        for (let i = 0; i < PICKS; i++) sink += pool[i % pool.length]!.id.length
        return sink
      }
    },
    cases: strategies.map((strategy) => ({
      name: `${strategy} pick`,
      ops: PICKS,
      fn: () => {
        const router = routers.get(strategy)!
        const pool = refs()
        for (let i = 0; i < PICKS; i++) {
          const chosen = router.pick(pool)
          if (chosen._tag === "Some") sink += chosen.value.id.length
        }
        return sink
      }
    }))
  }
}

export default defineBench("placement", [
  pickGroup("16"),
  pickGroup("1k"),
  {
    group: "route through the registry (16 agents), per message",
    setup,
    baseline: {
      name: "array[i % n] inside one Effect",
      ops: ROUTES,
      fn: () =>
        run(
          Effect.sync(() => {
            let sink = 0
            for (let i = 0; i < ROUTES; i++) sink += small[i % small.length]!.id.length
            return sink
          })
        )
    },
    cases: strategies.flatMap((strategy) => [
      {
        name: `${strategy} route`,
        ops: ROUTES,
        fn: () =>
          run(
            Effect.gen(function* () {
              const router = routers.get(strategy)!
              for (let i = 0; i < ROUTES; i++) yield* router.route
            })
          )
      },
      {
        name: `${strategy} route, cached`,
        ops: ROUTES,
        fn: () =>
          run(
            Effect.gen(function* () {
              const router = cachedRouters.get(strategy)!
              for (let i = 0; i < ROUTES; i++) yield* router.route
            })
          )
      }
    ])
  },
  {
    group: "monitor sample with 10k agents, per agent",
    setup: async () => {
      await setup()
      if (monitored.length > 0) return
      monitored = await run(
        Effect.forEach(
          Array.from({ length: MONITORED - small.length - large.length }),
          () =>
            Context.get(context, AgentSystem).spawn({ ...Sink, name: "monitored" }) as Effect.Effect<
              AgentRef<unknown>,
              unknown
            >
        )
      )
      monitored = [...small, ...large, ...monitored]
    },
    baseline: {
      name: "read mailboxSize() of every agent",
      ops: MONITORED,
      fn: () => {
        let total = 0
        for (const ref of monitored) total += ref.mailboxSize()
        return total
      }
    },
    cases: [
      {
        name: "monitor.sampleNow",
        ops: MONITORED,
        fn: () => run(Context.get(context, Monitor).sampleNow)
      }
    ]
  }
])
