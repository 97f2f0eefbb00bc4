/**
 * nact 7: an agent is `spawnStateless(system, fn, name)`; `dispatch` hands a message to an idle
 * actor through `setImmediate` (one macrotask per message) and queues it while the actor is busy;
 * an ask is `query`, which arms a timeout and a temporary reference per call.
 */
import { dispatch, query, type Ref, spawnStateless, start, stop } from "nact"
import { latch, type Peer } from "./peer.ts"

type SinkMessage = { readonly type: "ping" } | { readonly type: "ask"; readonly reply: Ref<number> }
type ProducerMessage = { readonly type: "go"; readonly count: number }

let system: Ref<never> | undefined
let sequence = 0
/** nact's anonymous names are 32-bit random numbers; 20k of them would collide now and then. */
const name = () => `a${++sequence}`

/** A counter that calls `onHandled` with its new count after every message and answers asks. */
const sink = (onHandled: (n: number) => void) => {
  let n = 0
  return spawnStateless(
    system!,
    (msg: SinkMessage) => {
      n++
      if (msg.type === "ask") dispatch(msg.reply, n)
      onHandled(n)
    },
    name()
  )
}
const ignore = () => {}
const ping: SinkMessage = { type: "ping" }

const counted = (messages: number) => {
  const done = latch()
  const ref = sink((n) => {
    if (n === messages) done.open()
  })
  return { ref, done }
}

/** Lets nact run the `setImmediate` callbacks its `stop` scheduled. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))
let kept: Array<Ref<SinkMessage>> = []

export const nactPeer: Peer = {
  name: "nact 7",
  agent: "spawnStateless(system, fn, name)",
  setup: async () => {
    system ??= start()
  },
  teardown: async () => {
    if (system !== undefined) stop(system)
    await settle()
  },
  spawnStop: async (n) => {
    for (let i = 0; i < n; i++) stop(sink(ignore))
    await settle()
  },
  idle: {
    prepare: async () => {
      system ??= start()
    },
    build: async (n) => {
      kept = []
      for (let i = 0; i < n; i++) kept.push(sink(ignore))
      return kept
    },
    release: async () => {
      for (const ref of kept) stop(ref)
      kept = []
      await settle()
    }
  },
  oneToOne: async (messages) => {
    const { ref, done } = counted(messages)
    for (let i = 0; i < messages; i++) dispatch(ref, ping)
    await done.promise
    stop(ref)
  },
  manyToOne: async (producers, messages) => {
    const { ref, done } = counted(messages)
    const senders = Array.from({ length: producers }, () =>
      spawnStateless(
        system!,
        (msg: ProducerMessage) => {
          for (let i = 0; i < msg.count; i++) dispatch(ref, ping)
        },
        name()
      )
    )
    const go: ProducerMessage = { type: "go", count: messages / producers }
    for (const sender of senders) dispatch(sender, go)
    await done.promise
    for (const sender of senders) stop(sender)
    stop(ref)
  },
  ask: async (n) => {
    const ref = sink(ignore)
    for (let i = 0; i < n; i++) {
      await query(ref, (reply: Ref<number>): SinkMessage => ({ type: "ask", reply }), 5_000)
    }
    stop(ref)
  }
}
