/**
 * Comms: topics (publish / subscribe) and broadcast to a registry selection.
 *
 * Delivery never waits for a receiver: each message is offered to each receiver's mailbox with
 * `tellUnsafe`, so a slow or stuck subscriber cannot hold up the publisher or the others. When a
 * receiver's mailbox is full the message is dropped for that receiver only, counted in the
 * result and in the agent system's dead letters (`mailbox-full`).
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Schema, type Scope } from "effect"
import { type AgentRef, AgentSystem, tellUnknown } from "../agent/index.ts"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { type BackendUnavailable, Registry, Selector } from "../registry/index.ts"

/**
 * A topic name: 1 to 256 characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Topic = Schema.String.check(Schema.isBetweenLength(1, 256))

/**
 * How a publish or broadcast went.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  /** Receivers whose mailbox took the message. */
  readonly delivered: number
  /** Receivers that were full or stopped: the message was dropped for them (and counted). */
  readonly dropped: number
}

/**
 * Topics and broadcast.
 *
 * @since 0.1.0
 * @category services
 */
export class Comms extends Context.Service<
  Comms,
  {
    /** Subscribes `ref` to `topic` for as long as the current scope. */
    readonly subscribe: <M>(topic: string, ref: AgentRef<M>) => Effect.Effect<void, InvalidInput, Scope.Scope>
    /** Offers `message` to every subscriber of `topic`, without waiting for any. */
    readonly publish: (topic: string, message: unknown) => Effect.Effect<Delivery, InvalidInput>
    /** Offers `message` to every running agent the registry selects (e.g. `{ capabilities: "bidder" }`). */
    readonly broadcast: (
      selector: Selector,
      message: unknown
    ) => Effect.Effect<Delivery, InvalidInput | BackendUnavailable>
    /** Number of subscribers of `topic`. */
    readonly subscribers: (topic: string) => number
  }
>()("mabeam/Comms") {
  /** Comms over the `AgentSystem` and `Registry` in context. */
  static readonly layer: Layer.Layer<Comms, never, AgentSystem | Registry> = Layer.effect(
    Comms,
    Effect.suspend(() => make)
  )
}

const checkTopic = decodeInput(Topic, "Comms.topic")
const checkSelector = decodeInput(Selector, "Comms.broadcast")

/**
 * Builds Comms over the `AgentSystem` and `Registry` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function* () {
  const agents = yield* AgentSystem
  const registry = yield* Registry
  const topics = new Map<string, Set<AgentRef<unknown>>>()

  const offerAll = (receivers: Iterable<AgentRef<unknown>>, message: unknown): Delivery => {
    let delivered = 0
    let dropped = 0
    for (const receiver of receivers) {
      // Checked against the receiver's messages Schema: a mismatch is dropped and counted.
      if (tellUnknown(receiver, message)) delivered++
      else dropped++
    }
    return { delivered, dropped }
  }

  return Comms.of({
    subscribe: (topic, ref) =>
      Effect.flatMap(checkTopic(topic), (name) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            const set = topics.get(name) ?? new Set()
            set.add(ref as AgentRef<unknown>)
            topics.set(name, set)
          }),
          () =>
            Effect.sync(() => {
              const set = topics.get(name)
              set?.delete(ref as AgentRef<unknown>)
              if (set?.size === 0) topics.delete(name)
            })
        ).pipe(Effect.asVoid)
      ),
    publish: (topic, message) => Effect.map(checkTopic(topic), (name) => offerAll(topics.get(name) ?? [], message)),
    broadcast: (selector, message) =>
      Effect.gen(function* () {
        const valid = yield* checkSelector(selector)
        const entries = yield* registry.select(valid)
        const receivers: Array<AgentRef<unknown>> = []
        let missing = 0
        for (const entry of entries) {
          const ref = agents.lookup(entry.key)
          if (ref._tag === "Some") receivers.push(ref.value)
          else missing++
        }
        const delivery = offerAll(receivers, message)
        return { delivered: delivery.delivered, dropped: delivery.dropped + missing }
      }),
    subscribers: (topic) => topics.get(topic)?.size ?? 0
  })
})
