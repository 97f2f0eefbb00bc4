/**
 * XState 5: an agent is `createActor(fromTransition(...)).start()`; `actor.send` runs the transition
 * synchronously when the actor is not already processing. XState has no ask, so an ask is an event
 * carrying a resolve function that the transition calls, awaited as a Promise.
 */
import { type Actor, createActor, fromTransition } from "xstate"
import { latch, type Peer } from "./peer.ts"

type SinkEvent = { readonly type: "ping" } | { readonly type: "ask"; readonly reply: (n: number) => void }
type ProducerEvent = { readonly type: "go"; readonly count: number }

/** A counter that calls `onHandled` with its new count after every event and answers asks. */
const sinkLogic = (onHandled: (n: number) => void) =>
  fromTransition((n: number, event: SinkEvent) => {
    if (event.type === "ask") event.reply(n)
    onHandled(n + 1)
    return n + 1
  }, 0)

const ignore = () => {}
const idleLogic = sinkLogic(ignore)
const ping: SinkEvent = { type: "ping" }

/** A producer: on `go` it sends `count` pings to `sink`. */
const producerLogic = (sink: Actor<ReturnType<typeof sinkLogic>>) =>
  fromTransition((_: undefined, event: ProducerEvent) => {
    for (let i = 0; i < event.count; i++) sink.send(ping)
    return undefined
  }, undefined)

const counted = (messages: number) => {
  const done = latch()
  const sink = createActor(
    sinkLogic((n) => {
      if (n === messages) done.open()
    })
  ).start()
  return { sink, done }
}

let kept: Array<Actor<typeof idleLogic>> = []

export const xstatePeer: Peer = {
  name: "XState 5",
  agent: "createActor(fromTransition(...)).start()",
  setup: async () => {},
  teardown: async () => {},
  spawnStop: async (n) => {
    for (let i = 0; i < n; i++) createActor(idleLogic).start().stop()
  },
  idle: {
    prepare: async () => {},
    build: async (n) => {
      kept = []
      for (let i = 0; i < n; i++) kept.push(createActor(idleLogic).start())
      return kept
    },
    release: async () => {
      for (const actor of kept) actor.stop()
      kept = []
    }
  },
  oneToOne: async (messages) => {
    const { sink, done } = counted(messages)
    for (let i = 0; i < messages; i++) sink.send(ping)
    await done.promise
    sink.stop()
  },
  manyToOne: async (producers, messages) => {
    const { sink, done } = counted(messages)
    const logic = producerLogic(sink)
    const senders = Array.from({ length: producers }, () => createActor(logic).start())
    const go: ProducerEvent = { type: "go", count: messages / producers }
    for (const sender of senders) sender.send(go)
    await done.promise
    for (const sender of senders) sender.stop()
    sink.stop()
  },
  ask: async (n) => {
    const sink = createActor(sinkLogic(ignore)).start()
    for (let i = 0; i < n; i++) {
      await new Promise<number>((reply) => sink.send({ type: "ask", reply }))
    }
    sink.stop()
  }
}
