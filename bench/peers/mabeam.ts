/**
 * mabeam: an agent is `Agent.make` spawned with `system.spawn` under the root supervisor; sends are
 * `ref.tellUnsafe` (synchronous enqueue, batched drain), asks are `ref.ask`, stops are `system.stop`
 * (graceful: the mailbox is drained, then the child scope closes).
 */
import { Context, Effect, Exit, Layer, Schema, Scope } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../../src/agent/index.ts"
import { latch, type Peer } from "./peer.ts"

const Ping = Agent.message("Ping", {})
const Go = Agent.message("Go", { count: Schema.Number })
const Count = Agent.request("Count", {}, Schema.Number)
const SinkMessage = Schema.Union([Ping, Count])
type SinkMessage = typeof SinkMessage.Type
const ping = Ping.make({})
const count = Count.make({})

/** Called by the sink after each message it handles (set per workload). */
let onHandled: (n: number) => void = () => {}
const Sink = Agent.make({
  name: "sink",
  messages: SinkMessage,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Count") ctx.reply(msg, n)
    onHandled(n + 1)
    return n + 1
  }
})

/** A producer: on `Go { count }` it tells the current sink `count` pings. */
let target: AgentRef<SinkMessage> | undefined
const Producer = Agent.make({
  name: "producer",
  messages: Go,
  initial: () => undefined,
  handle: (_: undefined, msg) => {
    const sink = target!
    for (let i = 0; i < msg.count; i++) sink.tellUnsafe(ping)
    return undefined
  }
})

type System = AgentSystem["Service"]
const open = async (): Promise<{ readonly system: System; readonly scope: Scope.Closeable }> => {
  const scope = Scope.makeUnsafe()
  const layer = AgentSystem.layerWith({ root: { intensity: { maxRestarts: 1_000_000, within: "1 second" } } })
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  return { system: Context.get(context, AgentSystem), scope }
}
const close = (scope: Scope.Closeable) => Effect.runPromise(Scope.close(scope, Exit.void))

let main: { readonly system: System; readonly scope: Scope.Closeable } | undefined
let idle: { readonly system: System; readonly scope: Scope.Closeable } | undefined
const system = () => main!.system

/** A fresh sink that opens the returned latch after `messages` messages; its mailbox holds them all. */
const sinkFor = async (messages: number) => {
  const done = latch()
  onHandled = (n) => {
    if (n === messages) done.open()
  }
  const ref = await Effect.runPromise(system().spawn({ ...Sink, mailbox: { capacity: messages + 1 } }))
  return { ref, done }
}

export const mabeamPeer: Peer = {
  name: "mabeam",
  agent: "Agent.make under the root supervisor (one fiber, cell, mailbox, child spec, scope)",
  setup: async () => {
    main = await open()
  },
  teardown: async () => {
    if (main !== undefined) await close(main.scope)
  },
  spawnStop: (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const sys = system()
        for (let i = 0; i < n; i++) {
          const ref = yield* sys.spawn(Sink)
          yield* sys.stop(ref)
        }
      })
    ),
  idle: {
    prepare: async () => {
      idle = await open()
    },
    build: (n) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const sys = idle!.system
          const refs: Array<AgentRef<SinkMessage>> = []
          for (let i = 0; i < n; i++) refs.push(yield* sys.spawn(Sink))
          yield* Effect.yieldNow
          return refs
        })
      ),
    release: async () => {
      if (idle !== undefined) await close(idle.scope)
      idle = undefined
    }
  },
  oneToOne: async (messages) => {
    const { ref, done } = await sinkFor(messages)
    for (let i = 0; i < messages; i++) ref.tellUnsafe(ping)
    await done.promise
    await Effect.runPromise(system().stop(ref))
  },
  manyToOne: async (producers, messages) => {
    const { ref, done } = await sinkFor(messages)
    target = ref
    const senders = await Effect.runPromise(
      Effect.forEach(Array.from({ length: producers }), () => system().spawn(Producer))
    )
    const go = Go.make({ count: messages / producers })
    for (const sender of senders) sender.tellUnsafe(go)
    await done.promise
    await Effect.runPromise(
      Effect.forEach([...senders, ref], (r) => system().stop(r as AgentRef<never>), { discard: true })
    )
  },
  ask: async (n) => {
    onHandled = () => {}
    const ref = await Effect.runPromise(system().spawn(Sink))
    await Effect.runPromise(
      Effect.gen(function* () {
        for (let i = 0; i < n; i++) yield* ref.ask(count)
      })
    )
    await Effect.runPromise(system().stop(ref))
  }
}
