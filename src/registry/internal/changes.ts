/**
 * The change hub shared by the local backends: publishes each change synchronously, in the order
 * the backend applied it, to the bounded queue of every subscriber of that namespace.
 */
import { Cause, Effect, Queue, type Scope, Stream } from "effect"
import { ChangesLagged } from "../RegistryError.ts"
import type { RegistryChange } from "../schema.ts"

type Subscriber = Queue.Queue<RegistryChange, ChangesLagged | Cause.Done>

/**
 * A per-namespace fan-out of changes to bounded subscriber queues.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChangeHub {
  /** Delivers `change` to every subscriber of `namespace`; a full subscriber is failed with `ChangesLagged`. */
  readonly publish: (namespace: string, change: RegistryChange) => void
  /** Whether `namespace` has a subscriber, so a backend can skip building change events. */
  readonly hasSubscribers: (namespace: string) => boolean
  /** Subscribes for the lifetime of the scope. */
  readonly subscribe: (
    namespace: string
  ) => Effect.Effect<Stream.Stream<RegistryChange, ChangesLagged>, never, Scope.Scope>
}

/**
 * Builds a hub whose subscribers each buffer up to `capacity` changes; all streams end with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeChangeHub = (capacity: number): Effect.Effect<ChangeHub, never, Scope.Scope> =>
  Effect.gen(function* () {
    const subscribers = new Map<string, Set<Subscriber>>()
    let open = true

    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        open = false
        for (const set of subscribers.values()) for (const queue of set) Queue.endUnsafe(queue)
        subscribers.clear()
      })
    )

    const remove = (namespace: string, queue: Subscriber) => {
      const set = subscribers.get(namespace)
      if (set === undefined) return
      set.delete(queue)
      if (set.size === 0) subscribers.delete(namespace)
    }

    const publish = (namespace: string, change: RegistryChange) => {
      const set = subscribers.get(namespace)
      if (set === undefined) return
      for (const queue of set) {
        if (!Queue.offerUnsafe(queue, change)) {
          // The reader keeps what it already buffered, then learns it missed events.
          Queue.failCauseUnsafe(queue, Cause.fail(new ChangesLagged({ namespace, capacity })))
          remove(namespace, queue)
        }
      }
    }

    const subscribe = (namespace: string) =>
      Effect.acquireRelease(
        Effect.flatMap(Queue.bounded<RegistryChange, ChangesLagged | Cause.Done>(capacity), (queue) =>
          Effect.sync(() => {
            if (!open) {
              Queue.endUnsafe(queue)
              return queue
            }
            let set = subscribers.get(namespace)
            if (set === undefined) {
              set = new Set()
              subscribers.set(namespace, set)
            }
            set.add(queue)
            return queue
          })
        ),
        (queue) =>
          Effect.sync(() => {
            remove(namespace, queue)
            Queue.shutdownUnsafe(queue)
          })
      ).pipe(Effect.map((queue) => Stream.fromQueue(queue)))

    return {
      publish,
      hasSubscribers: (namespace) => subscribers.has(namespace),
      subscribe
    }
  })
