/**
 * Agents beside the bare Effect equivalent, in the same run: spawn + stop, idle bytes per agent,
 * tell throughput (one producer to one agent, and to 1k agents), ask round trip.
 *
 * Each timed case runs a batch inside one `Effect.runPromise` (ops = batch size), so the figures
 * are per operation, not per Promise.
 */
import { Context, Deferred, Effect, Fiber, Layer, Option, Queue, Schema, Scope } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../src/agent/index.ts"
import { defineBench } from "./lib/index.ts"

const Ping = Agent.message("Ping", {})
const Count = Agent.request("Count", {}, Schema.Number)
const SinkMessage = Schema.Union([Ping, Count])
const Sink = Agent.make({
  name: "sink",
  messages: SinkMessage,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Count") ctx.reply(msg, n)
    return n + 1
  }
})
const ping = Ping.make({})
const count = Count.make({})

const scope = Scope.makeUnsafe()
let system: AgentSystem["Service"]
const setupSystem = async () => {
  const context = await Effect.runPromise(
    Layer.buildWithScope(
      AgentSystem.layerWith({ root: { intensity: { maxRestarts: 1_000_000, within: "1 second" } } }),
      scope
    )
  )
  system = Context.get(context, AgentSystem)
}
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

// --- bare Effect equivalents -------------------------------------------------------------------
const bareServer = Effect.gen(function* () {
  const queue = yield* Queue.unbounded<number>()
  const fiber = yield* Effect.forkDetach(Effect.forever(Queue.take(queue)))
  return { queue, fiber }
})

const SPAWNS = 1_000
const MESSAGES = 100_000
const ASKS = 1_000

type SinkMessage = typeof SinkMessage.Type
let sinkRef: AgentRef<SinkMessage>
// Large enough for a whole batch: the producer never waits and nothing is dropped.
const spawnSink = () => run(system.spawn({ ...Sink, mailbox: { capacity: MESSAGES } }))
let fanout: Array<AgentRef<SinkMessage>> = []

const bareEcho = Effect.runSync(
  Effect.gen(function* () {
    const requests = yield* Queue.unbounded<Deferred.Deferred<number>>()
    yield* Effect.forkDetach(
      Effect.forever(Effect.flatMap(Queue.take(requests), (reply) => Deferred.succeed(reply, 1)))
    )
    return requests
  })
)

export default defineBench("agents", [
  {
    group: "spawn + stop, per agent",
    setup: setupSystem,
    baseline: {
      name: "Effect.forkDetach + Queue, then interrupt",
      ops: SPAWNS,
      fn: () =>
        run(
          Effect.gen(function* () {
            for (let i = 0; i < SPAWNS; i++) {
              const server = yield* bareServer
              yield* Fiber.interrupt(server.fiber)
            }
          })
        )
    },
    cases: [
      {
        name: "system.spawn + system.stop",
        ops: SPAWNS,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < SPAWNS; i++) {
                const ref = yield* system.spawn(Sink)
                yield* system.stop(ref)
              }
            })
          )
      }
    ]
  },
  {
    group: "tell, one producer to one agent",
    setup: async () => {
      sinkRef = await spawnSink()
    },
    baseline: {
      name: "Queue.offerUnsafe + consumer Queue.take",
      ops: MESSAGES,
      fn: () =>
        run(
          Effect.gen(function* () {
            const queue = yield* Queue.unbounded<number>()
            const done = yield* Deferred.make<void>()
            let seen = 0
            const consumer = yield* Effect.forkDetach(
              Effect.forever(
                Effect.flatMap(Queue.takeAll(queue), (batch) => {
                  seen += batch.length
                  return seen >= MESSAGES ? Deferred.succeed(done, undefined) : Effect.void
                })
              )
            )
            for (let i = 0; i < MESSAGES; i++) Queue.offerUnsafe(queue, i)
            yield* Deferred.await(done)
            yield* Fiber.interrupt(consumer)
          })
        )
    },
    cases: [
      {
        name: "ref.tellUnsafe, then one ask",
        ops: MESSAGES,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < MESSAGES; i++) sinkRef.tellUnsafe(ping)
              yield* sinkRef.ask(count)
            })
          )
      },
      {
        // The untyped path (lookup refs, Comms, transport): each message is checked against the
        // agent's messages Schema before it is queued. Compare with the typed ref.tellUnsafe above.
        name: "lookup ref.tellUnsafe (Schema-checked), then one ask",
        ops: MESSAGES,
        fn: () =>
          run(
            Effect.gen(function* () {
              const checked = Option.getOrThrow(system.lookup(sinkRef.id))
              for (let i = 0; i < MESSAGES; i++) checked.tellUnsafe(ping)
              yield* sinkRef.ask(count)
            })
          )
      },
      {
        name: "yield* ref.tell, then one ask",
        ops: MESSAGES,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < MESSAGES; i++) yield* sinkRef.tell(ping)
              yield* sinkRef.ask(count)
            })
          )
      }
    ]
  },
  {
    group: "tell, one producer to 1k agents",
    setup: async () => {
      fanout = await run(
        Effect.forEach(Array.from({ length: 1000 }), () => system.spawn({ ...Sink, mailbox: { capacity: 100_000 } }))
      )
    },
    baseline: {
      name: "Queue.offerUnsafe to 1k queues",
      ops: MESSAGES,
      fn: () =>
        run(
          Effect.gen(function* () {
            const queues = yield* Effect.forEach(Array.from({ length: 1000 }), () => Queue.unbounded<number>())
            for (let i = 0; i < MESSAGES; i++) Queue.offerUnsafe(queues[i % 1000]!, i)
          })
        )
    },
    cases: [
      {
        name: "ref.tellUnsafe round-robin, then an ask to each",
        ops: MESSAGES,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < MESSAGES; i++) fanout[i % 1000]!.tellUnsafe(ping)
              yield* Effect.forEach(fanout, (ref) => ref.ask(count), { discard: true })
            })
          )
      },
      {
        // The path users write: each tell is an effect, and most wake an idle receiver.
        name: "yield* ref.tell round-robin, then an ask to each",
        ops: MESSAGES,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < MESSAGES; i++) yield* fanout[i % 1000]!.tell(ping)
              yield* Effect.forEach(fanout, (ref) => ref.ask(count), { discard: true })
            })
          )
      }
    ]
  },
  {
    group: "ask round trip",
    setup: async () => {
      sinkRef = await spawnSink()
    },
    baseline: {
      name: "Deferred through a Queue to a serving fiber",
      ops: ASKS,
      fn: () =>
        run(
          Effect.gen(function* () {
            for (let i = 0; i < ASKS; i++) {
              const reply = yield* Deferred.make<number>()
              Queue.offerUnsafe(bareEcho, reply)
              yield* Deferred.await(reply)
            }
          })
        )
    },
    cases: [
      {
        name: "ref.ask",
        ops: ASKS,
        fn: () =>
          run(
            Effect.gen(function* () {
              for (let i = 0; i < ASKS; i++) yield* sinkRef.ask(count)
            })
          )
      }
    ]
  },
  {
    group: "bytes per idle agent, 100k",
    memory: {
      count: 100_000,
      baseline: {
        name: "fiber blocked in Queue.take on its own Queue",
        build: (n) => run(Effect.forEach(Array.from({ length: n }), () => bareServer))
      },
      cases: [
        {
          name: "idle agent (spawned, mailbox empty)",
          build: async (n) => {
            await setupSystem()
            const refs = await run(Effect.forEach(Array.from({ length: n }), () => system.spawn(Sink)))
            await run(Effect.yieldNow)
            return refs
          }
        }
      ]
    }
  }
])
