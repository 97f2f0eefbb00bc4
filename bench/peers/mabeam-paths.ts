/**
 * mabeam's own rows beside the peer table: the idiomatic `yield* ref.tell` next to the
 * synchronous `ref.tellUnsafe`, to one agent and round-robin to 1,000; and idle bytes per agent
 * with its registry entry (`Registry.layer` provided, as `Mabeam.layer` does).
 */
import { Context, Effect, Exit, Layer, Schema, Scope } from "effect"
import { Agent, type AgentRef, AgentSystem } from "../../src/agent/index.ts"
import { Registry } from "../../src/registry/index.ts"

const Ping = Agent.message("Ping", {})
const Count = Agent.request("Count", {}, Schema.Number)
const SinkMessage = Schema.Union([Ping, Count])
type SinkMessage = typeof SinkMessage.Type
const ping = Ping.make({})
const count = Count.make({})
const Sink = Agent.make({
  name: "sink",
  messages: SinkMessage,
  initial: () => 0,
  handle: (n: number, msg, ctx) => {
    if (msg._tag === "Count") ctx.reply(msg, n)
    return n + 1
  }
})

type System = AgentSystem["Service"]
const open = async (
  layer: Layer.Layer<AgentSystem>
): Promise<{ readonly system: System; readonly close: () => Promise<void> }> => {
  const scope = Scope.makeUnsafe()
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  return { system: Context.get(context, AgentSystem), close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
const systemLayer = AgentSystem.layerWith({ root: { intensity: { maxRestarts: 1_000_000, within: "1 second" } } }).pipe(
  Layer.orDie
)

/** The send paths of one run, in messages per second. */
export interface SendPaths {
  readonly tellUnsafeOne: number
  readonly tellOne: number
  readonly tellUnsafeFan: number
  readonly tellFan: number
}

/**
 * Sends `messages` to `receivers` agents round-robin, synchronously (`tellUnsafe`) or as effects
 * (`yield* tell`), then one ask to each (so every message was handled); returns the wall ms.
 */
const sendRun = (refs: ReadonlyArray<AgentRef<SinkMessage>>, messages: number, idiomatic: boolean) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const n = refs.length
      const start = performance.now()
      if (idiomatic) for (let i = 0; i < messages; i++) yield* refs[i % n]!.tell(ping)
      else for (let i = 0; i < messages; i++) refs[i % n]!.tellUnsafe(ping)
      yield* Effect.forEach(refs, (ref) => ref.ask(count), { discard: true })
      return performance.now() - start
    })
  )

/** Median of three after a warm-up at a tenth of the size. */
const median = async (run: (size: number) => Promise<number>, size: number): Promise<number> => {
  await run(Math.max(1000, Math.round(size / 10)))
  const runs = [await run(size), await run(size), await run(size)].sort((a, b) => a - b)
  return runs[1]!
}

/** Measures the four send paths (each the median of three). */
export const sendPaths = async (messages: number): Promise<SendPaths> => {
  const { system, close } = await open(systemLayer)
  // Mailboxes large enough for a whole run: nothing waits and nothing is dropped.
  const spawn = (n: number) =>
    Effect.runPromise(
      Effect.forEach(Array.from({ length: n }), () => system.spawn({ ...Sink, mailbox: { capacity: messages + 1 } }))
    )
  const one = await spawn(1)
  const fan = await spawn(1000)
  const rate = async (refs: ReadonlyArray<AgentRef<SinkMessage>>, idiomatic: boolean) =>
    messages / ((await median((size) => sendRun(refs, size, idiomatic), messages)) / 1000)
  const result: SendPaths = {
    tellUnsafeOne: await rate(one, false),
    tellOne: await rate(one, true),
    tellUnsafeFan: await rate(fan, false),
    tellFan: await rate(fan, true)
  }
  await close()
  return result
}

/** Builds `n` idle agents under a system with the registry, for bytes per agent including the entry. */
export const registeredIdle = () => {
  let opened: { readonly system: System; readonly close: () => Promise<void> } | undefined
  return {
    prepare: async () => {
      opened = await open(systemLayer.pipe(Layer.provide(Registry.layer)))
      await Effect.runPromise(opened.system.spawn(Sink))
    },
    build: (n: number) =>
      Effect.runPromise(
        Effect.forEach(Array.from({ length: n }), () => opened!.system.spawn(Sink)).pipe(
          Effect.tap(() => Effect.yieldNow)
        )
      ),
    release: async () => {
      await opened?.close()
      opened = undefined
    }
  }
}
