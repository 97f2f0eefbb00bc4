/**
 * Virtual agents over a store of 1 000 000 agents: the cost of activating an agent whose state is
 * one row among 1M in SQLite (a file), beside an ask to a resident agent and the activation of a
 * never-seen id (same store lookup, a miss, then `initial`). Seeding the 1M states
 * (`AgentStateStore.saveMany`) is timed once and printed in the setup.
 *
 * One runner, in-memory message storage, no cap on resident agents (each case activates each id once).
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { MessageStorage, RunnerHealth, Runners, RunnerStorage, Sharding, ShardingConfig } from "effect/cluster"
import { AgentStateStore, type ClusterRef } from "../src/cluster/index.ts"
import { SqliteClient } from "../src/sql/index.ts"
import { add, counterAgent, type CounterMessage, get } from "./lib/counter.ts"
import { defineBench } from "./lib/index.ts"

const AGENTS = 1_000_000
const OPS = 200
const BULK = 1_000
const KIND = "million-bench"

const { deployed: Deployed } = counterAgent(KIND)
type Message = CounterMessage

const sharding = Sharding.layer.pipe(
  Layer.provideMerge(Runners.layerNoop),
  Layer.provideMerge(MessageStorage.layerMemory),
  Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
  Layer.provide(ShardingConfig.layer({ maxResidentEntities: "unbounded" }))
)

function* seeds(n: number): Generator<readonly [string, string]> {
  for (let i = 0; i < n; i++) yield [`agent-${i}`, String((i % 1000) + 1)]
}

const scope = Scope.makeUnsafe()
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "mabeam-million-bench-"))
let refs: (id: string) => ClusterRef<Message>
let resident: Array<ClusterRef<Message>> = []
// Stored ids are visited with a stride coprime with AGENTS, so successive ones are far apart in the id space.
let next = 0
const nextStored = () => (next = (next + 7_919) % AGENTS)
let fresh = 0

const setup = async () => {
  const context = await run(
    Layer.buildWithScope(
      Deployed.layer.pipe(
        Layer.provideMerge(sharding),
        Layer.provideMerge(AgentStateStore.layerSql),
        Layer.provideMerge(SqliteClient.layer({ filename: Path.join(dir, "agents.db") }))
      ),
      scope
    )
  )
  const store = Context.get(context, AgentStateStore.AgentStateStore)
  const started = Date.now()
  await run(store.saveMany(KIND, seeds(AGENTS)))
  console.log(`  seeded ${AGENTS} agent states in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  refs = await run(Effect.provideContext(Deployed.client, context))
  resident = Array.from({ length: 100 }, (_, i) => refs(`resident-${i}`))
  await run(Effect.forEach(resident, (ref) => ref.ask(get)))
}

export default defineBench("cluster-million", [
  {
    group: "activation over a store of 1M agents",
    setup,
    baseline: {
      name: "tell + ask to a resident agent, 64 concurrent",
      ops: OPS,
      fn: () =>
        run(
          Effect.forEach(
            Array.from({ length: OPS }),
            (_, i) => Effect.andThen(resident[i % 100]!.tell(add), resident[i % 100]!.ask(get)),
            {
              concurrency: 64
            }
          )
        )
    },
    cases: [
      {
        name: "ask to a stored agent (activate, restore its state from 1M rows)",
        ops: OPS,
        fn: () =>
          run(
            Effect.forEach(
              Array.from({ length: OPS }),
              () => {
                const i = nextStored()
                return refs(`agent-${i}`)
                  .ask(get)
                  .pipe(
                    Effect.flatMap((n) =>
                      n === (i % 1000) + 1 ? Effect.void : Effect.die(new Error(`agent-${i} restored ${n}`))
                    )
                  )
              },
              { concurrency: 64, discard: true }
            )
          )
      },
      {
        // Many activations at once: their loads are read together (one SELECT ... IN per batch).
        name: "bulk activation: tell to 1,000 stored agents at once, then an ask each (per agent)",
        ops: BULK,
        fn: () =>
          run(
            Effect.gen(function* () {
              const batch = Array.from({ length: BULK }, () => refs(`agent-${nextStored()}`))
              yield* Effect.forEach(batch, (ref) => ref.tell(add), { concurrency: "unbounded", discard: true })
              yield* Effect.forEach(batch, (ref) => ref.ask(get, { timeout: "60 seconds" }), {
                concurrency: "unbounded",
                discard: true
              })
            })
          )
      },
      {
        name: "ask to a never-seen id (activate, no saved state)",
        ops: OPS,
        fn: () =>
          run(
            Effect.forEach(Array.from({ length: OPS }), () => refs(`fresh-${fresh++}`).ask(get), {
              concurrency: 64,
              discard: true
            })
          )
      }
    ],
    teardown: async () => {
      await run(Scope.close(scope, Exit.void))
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  }
])
