/**
 * Agents on `effect/cluster` beside the in-process agent system, in the same run: ask round trip
 * (in-process, cluster on one runner, across socket runners on 127.0.0.1), tells and asks spread
 * over three runners, tell throughput with durable state, heap per live agent, activation of
 * virtual agents from stored state and of never-seen ids, and (printed once at the end) failover
 * after one of the three runners stops gracefully (SIGKILL failover: test/cluster/crash.test.ts).
 *
 * The three runners live in this process but talk over real TCP sockets on loopback and share one
 * database for shard locks and agent state, as separate processes would: a SQLite file in a
 * temporary directory (WAL, durable), or Postgres when `MABEAM_BENCH_PG` is a `postgres://` URL
 * (a fresh database is not made: use a throwaway one). State is saved under the default policy
 * (`"on-change"`, group-committed).
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Exit, Layer, Option, Scope } from "effect"
import { EntityId, RunnerAddress, Sharding } from "effect/cluster"
import { type AgentRef, AgentSystem } from "../src/agent/index.ts"
import { AgentStateStore, type ClusterRef, ClusterStorage, Failover } from "../src/cluster/index.ts"
import { freePort as freePortEffect } from "../src/transport/index.ts"
import { add, counterAgent, type CounterMessage, get } from "./lib/counter.ts"
import { defineBench } from "./lib/index.ts"

const { definition: Counter, deployed: Deployed } = counterAgent("bench-counter")
type Message = CounterMessage

const freePort = () => Effect.runPromise(freePortEffect)

const runnerLayer = (port: number) =>
  Deployed.layer.pipe(
    Layer.provideMerge(
      Failover.socketRunner({
        shardingConfig: {
          runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port)),
          shardsPerGroup: 32,
          maxResidentEntities: 1_000_000
        }
      })
    ),
    Layer.provideMerge(AgentStateStore.layerSql)
  )

const scope = Scope.makeUnsafe()
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
let local: AgentRef<Message>
let here: ClusterRef<Message>
let there: ClusterRef<Message>
let spread: Array<ClusterRef<Message>> = []
let fresh: (id: string) => ClusterRef<Message>
let freshIds = 0
let stopThird: () => Promise<number>
const STORED = 100_000
let storedIds = 0
const storage =
  process.env["MABEAM_BENCH_PG"] ?? join(mkdtempSync(join(tmpdir(), "mabeam-bench-cluster-")), "cluster.sqlite")

const setup = async () => {
  const system = Context.get(await run(Layer.buildWithScope(AgentSystem.layer, scope)), AgentSystem)
  local = await run(system.spawn(Counter))
  console.log(`  storage: ${ClusterStorage.describe(storage)}`)
  const sql = await run(Layer.buildWithScope(ClusterStorage.layer(storage), scope))
  // Agents with a stored state, for the activation case: saved in bulk before the runners start.
  await run(
    Effect.provideContext(
      Effect.flatMap(AgentStateStore.makeSql(), (store) =>
        store.saveMany(
          Deployed.kind,
          (function* () {
            for (let i = 0; i < STORED; i++) yield [`stored-${i}`, String(i)] as const
          })()
        )
      ),
      sql
    )
  )
  const start = async (into: Scope.Scope) =>
    run(Layer.buildWithScope(runnerLayer(await freePort()).pipe(Layer.provide(Layer.succeedContext(sql))), into))
  const a = await start(scope)
  const shardingA = Context.get(a, Sharding.Sharding)
  const shardingB = Context.get(await start(scope), Sharding.Sharding)
  // The third runner has a scope of its own: stopping it measures failover.
  const thirdScope = await run(Scope.fork(scope, "sequential"))
  const shardingC = Context.get(await start(thirdScope), Sharding.Sharding)
  const holds = (s: Sharding.Sharding["Service"], id: string) =>
    s.hasShardId(s.getShardId(EntityId.make(id), "default"))
  const ids = Array.from({ length: 200 }, (_, i) => `agent-${i}`)
  const runners = [shardingA, shardingB, shardingC]
  const deadline = Date.now() + 30_000
  while (!runners.every((s) => ids.some((id) => holds(s, id)))) {
    if (Date.now() > deadline) throw new Error("the three runners did not share the shards within 30 s")
    await run(Effect.sleep("100 millis"))
  }
  const clients = await run(Effect.provideContext(Deployed.client, a))
  here = clients(ids.find((id) => holds(shardingA, id)) ?? "agent-0")
  there = clients(ids.find((id) => holds(shardingB, id)) ?? "agent-1")
  spread = ids.slice(0, 100).map(clients)
  fresh = clients
  await run(Effect.all([here.ask(get), there.ask(get), Effect.forEach(spread, (ref) => ref.ask(get))]))
  stopThird = async () => {
    const moved = spread.filter((ref) => holds(shardingC, ref.id))
    const stoppedAt = Date.now()
    await run(Scope.close(thirdScope, Exit.void))
    await run(Effect.forEach(moved, (ref) => ref.ask(get, { timeout: "30 seconds" }), { concurrency: "unbounded" }))
    return Date.now() - stoppedAt
  }
}

const SPREAD = 100
const FRESH = 200
const TELLS = 2_000

export default defineBench("cluster", [
  {
    group: "ask round trip",
    setup,
    baseline: { name: "in-process AgentRef.ask", fn: () => run(local.ask(get)) },
    cases: [
      { name: "ClusterRef.ask, agent on this runner", fn: () => run(here.ask(get)) },
      { name: "ClusterRef.ask, agent on the other runner (TCP, 127.0.0.1)", fn: () => run(there.ask(get)) }
    ]
  },
  {
    group: "tell + ask, 100 agents over 3 runners, concurrent",
    baseline: {
      name: "in-process tell + ask to one agent, 100 concurrent",
      ops: SPREAD,
      fn: () =>
        run(Effect.forEach(spread, () => Effect.andThen(local.tell(add), local.ask(get)), { concurrency: "unbounded" }))
    },
    cases: [
      {
        name: "ClusterRef tell + ask, one per agent, all concurrent",
        ops: SPREAD,
        fn: () =>
          run(
            Effect.forEach(spread, (ref) => Effect.andThen(ref.tell(add), ref.ask(get)), { concurrency: "unbounded" })
          )
      }
    ]
  },
  {
    group: "tell throughput, 100 agents over 3 runners, state durable",
    baseline: {
      name: "in-process tells to one agent, then one ask",
      ops: TELLS,
      fn: () =>
        run(
          Effect.andThen(
            Effect.forEach(Array.from({ length: TELLS }), () => local.tell(add), { discard: true }),
            local.ask(get)
          )
        )
    },
    cases: [
      {
        name: "ClusterRef tells (20 per agent, concurrent), then one ask per agent",
        ops: TELLS,
        fn: () =>
          run(
            Effect.andThen(
              Effect.forEach(Array.from({ length: TELLS }), (_, i) => spread[i % SPREAD]!.tell(add), {
                concurrency: 256,
                discard: true
              }),
              Effect.forEach(spread, (ref) => ref.ask(get), { concurrency: "unbounded", discard: true })
            )
          )
      }
    ]
  },
  {
    group: "memory per live agent",
    memory: {
      count: 2_000,
      baseline: {
        name: "in-process agent (AgentSystem.spawn)",
        build: async (count) => {
          const system = Context.get(await run(Layer.buildWithScope(AgentSystem.layer, scope)), AgentSystem)
          return run(Effect.forEach(Array.from({ length: count }), () => system.spawn(Counter)))
        }
      },
      cases: [
        {
          name: "resident cluster agent (activated by one ask, 3 runners)",
          build: (count) =>
            run(
              Effect.forEach(Array.from({ length: count }), () => fresh(`resident-${freshIds++}`).ask(get), {
                concurrency: 64
              })
            )
        }
      ]
    }
  },
  {
    group: "virtual agent activation",
    baseline: {
      name: "tell + ask to a resident agent, 3 runners",
      ops: FRESH,
      fn: () =>
        run(
          Effect.forEach(
            Array.from({ length: FRESH }),
            (_, i) => Effect.andThen(spread[i % SPREAD]!.tell(add), spread[i % SPREAD]!.ask(get)),
            { concurrency: 64 }
          )
        )
    },
    cases: [
      {
        name: "ask to an agent with a stored state (activate, load), 3 runners",
        ops: FRESH,
        fn: () =>
          run(
            Effect.forEach(Array.from({ length: FRESH }), () => fresh(`stored-${storedIds++ % STORED}`).ask(get), {
              concurrency: 64
            })
          )
      },
      {
        name: "tell + ask to a never-seen id (activate, save state), 3 runners",
        ops: FRESH,
        fn: () =>
          run(
            Effect.forEach(
              Array.from({ length: FRESH }),
              () => {
                const ref = fresh(`fresh-${freshIds++}`)
                return Effect.andThen(ref.tell(add), ref.ask(get))
              },
              { concurrency: 64 }
            )
          )
      }
    ],
    teardown: async () => {
      // One measurement, not timed by the harness: a runner stops; its agents answer again from the others.
      console.log(`  failover: a runner of 3 stopped; all its agents answered again after ${await stopThird()} ms`)
      await run(Scope.close(scope, Exit.void))
    }
  }
])
