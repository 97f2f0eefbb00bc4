/**
 * Bare Effect 4: an "agent" is a fiber draining its own unbounded `Queue` in batches (`Queue.takeAll`),
 * and senders enqueue synchronously with `Queue.offerUnsafe` — the fastest plain-Effect mailbox
 * (perf-notes: 22 M msgs/s), so this row is what Effect itself can do without any runtime on top.
 */
import { Deferred, Effect, Fiber, Queue } from "effect"
import { latch, type Peer } from "./peer.ts"

type Server<A> = { readonly queue: Queue.Queue<A>; readonly fiber: Fiber.Fiber<never> }

/** A fiber that hands every message of its queue, in batches, to `handle`. */
const server = <A>(handle: (message: A) => void) =>
  Effect.gen(function* () {
    const queue = yield* Queue.unbounded<A>()
    const fiber = yield* Effect.forkDetach(
      Effect.forever(
        Effect.map(Queue.takeAll(queue), (batch) => {
          for (const message of batch) handle(message)
        })
      )
    )
    return { queue, fiber } satisfies Server<A>
  })

/** A consumer that opens the returned latch once it has handled `target` messages. */
const counter = (target: number) =>
  Effect.map(Effect.sync(latch), (done) => ({ done, make: server<number>(counting(target, done.open)) }))
const counting = (target: number, open: () => void) => {
  let seen = 0
  return () => {
    if (++seen === target) open()
  }
}

const ignore = () => {}
let kept: Array<Server<number>> = []
const interruptAll = (servers: ReadonlyArray<{ readonly fiber: Fiber.Fiber<never> }>) =>
  Effect.forEach(servers, (s) => Fiber.interrupt(s.fiber), { discard: true })
let echo: Queue.Queue<Deferred.Deferred<number>> | undefined
let echoFiber: Fiber.Fiber<never> | undefined

export const effectPeer: Peer = {
  name: "bare Effect 4",
  agent: "fiber looping on Queue.takeAll of its own Queue.unbounded",
  setup: async () => {
    const s = await Effect.runPromise(
      server<Deferred.Deferred<number>>((reply) => Deferred.doneUnsafe(reply, Effect.succeed(1)))
    )
    echo = s.queue
    echoFiber = s.fiber
  },
  teardown: async () => {
    if (echoFiber !== undefined) await Effect.runPromise(Fiber.interrupt(echoFiber))
  },
  spawnStop: (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        for (let i = 0; i < n; i++) {
          const s = yield* server<number>(ignore)
          yield* Fiber.interrupt(s.fiber)
        }
      })
    ),
  idle: {
    prepare: async () => {},
    build: async (n) => {
      kept = await Effect.runPromise(
        Effect.gen(function* () {
          const servers: Array<Server<number>> = []
          for (let i = 0; i < n; i++) servers.push(yield* server<number>(ignore))
          yield* Effect.yieldNow
          return servers
        })
      )
      return kept
    },
    release: async () => {
      await Effect.runPromise(interruptAll(kept))
      kept = []
    }
  },
  oneToOne: (messages) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { done, make } = yield* counter(messages)
        const sink = yield* make
        for (let i = 0; i < messages; i++) Queue.offerUnsafe(sink.queue, i)
        yield* Effect.promise(() => done.promise)
        yield* Fiber.interrupt(sink.fiber)
      })
    ),
  manyToOne: (producers, messages) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const { done, make } = yield* counter(messages)
        const sink = yield* make
        const each = messages / producers
        const senders: Array<Server<number>> = []
        for (let p = 0; p < producers; p++) {
          senders.push(
            yield* server<number>((count) => {
              for (let i = 0; i < count; i++) Queue.offerUnsafe(sink.queue, i)
            })
          )
        }
        for (const sender of senders) Queue.offerUnsafe(sender.queue, each)
        yield* Effect.promise(() => done.promise)
        yield* interruptAll([...senders, sink])
      })
    ),
  ask: (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const queue = echo!
        for (let i = 0; i < n; i++) {
          const reply = yield* Deferred.make<number>()
          Queue.offerUnsafe(queue, reply)
          yield* Deferred.await(reply)
        }
      })
    )
}
