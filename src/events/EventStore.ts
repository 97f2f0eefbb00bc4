/**
 * The `EventStore` service: append-only events with idempotent ids, queries with pagination, live
 * subscriptions, bounded retention. Backends (memory, SQL) implement `EventBackend`; everything
 * else — validation, conflicts, subscriptions, telemetry — lives here once.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, PubSub, Semaphore, type Scope, Stream } from "effect"
import type { SqlClient } from "effect/sql"
import { MabeamConfig } from "../config/index.ts"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { boundary, count, eventsAppended } from "../telemetry/index.ts"
import type { EventBackend } from "./Backend.ts"
import { makeMemoryBackend } from "./backends/memory.ts"
import { makeSqlBackend } from "./backends/sql.ts"
import { EventConflict, type EventStoreFailure } from "./EventError.ts"
import { contentOf } from "./internal/canonical.ts"
import { type EventPage, EventQuery, NewEvent, Retention, type StoredEvent } from "./schema.ts"

/**
 * How far a subscriber may lag. Policy when full: the oldest undelivered event is dropped for
 * that subscriber; `sequence` numbers let it notice the gap and catch up with `query({ after })`.
 *
 * @since 0.1.0
 * @category constants
 */
export const SUBSCRIBER_BUFFER = 4_096

/**
 * The default retention: 100 000 events, no age limit.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_RETENTION: Retention = { maxCount: 100_000, maxAgeMillis: 0 }

const decodeEvent = decodeInput(NewEvent, "EventStore.append")
const decodeQuery = decodeInput(EventQuery, "EventStore.query")
const decodeRetention = decodeInput(Retention, "EventStore.layer")

/**
 * Builds the service over `backend`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeEventStore = (backend: EventBackend) =>
  Effect.gen(function* () {
    const lock = yield* Semaphore.make(1)
    const pubsub = yield* PubSub.sliding<StoredEvent>(SUBSCRIBER_BUFFER)
    yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))

    const append = (input: unknown): Effect.Effect<StoredEvent, InvalidInput | EventConflict | EventStoreFailure> =>
      decodeEvent(input).pipe(
        Effect.flatMap((event) =>
          lock
            .withPermit(
              Effect.gen(function* () {
                const existing = yield* backend.findById(event.id)
                if (existing !== undefined) {
                  if (contentOf(existing) === contentOf(event)) return existing
                  return yield* new EventConflict({
                    id: event.id,
                    existing: contentOf(existing),
                    attempted: contentOf(event)
                  })
                }
                const time = yield* Clock.currentTimeMillis
                const stored = yield* backend.insert(event, time)
                yield* PubSub.publish(pubsub, stored)
                yield* count(eventsAppended, { type: event.type })
                return stored
              })
            )
            .pipe(boundary("events", "append", { type: event.type }))
        )
      )

    return EventStore.of({
      append,
      query: (input = {}) =>
        decodeQuery(input).pipe(
          Effect.flatMap((query) => Clock.currentTimeMillis.pipe(Effect.flatMap((now) => backend.query(query, now)))),
          boundary("events", "query")
        ),
      subscribe: PubSub.subscribe(pubsub).pipe(Effect.map(Stream.fromSubscription)),
      count: backend.count
    })
  })

/**
 * The append-only event log.
 *
 * @since 0.1.0
 * @category services
 */
export class EventStore extends Context.Service<
  EventStore,
  {
    /**
     * Appends an event stamped with `Clock` time. Appending an id again with identical type,
     * correlation id and payload is a no-op returning the stored event; with different content it
     * fails with `EventConflict` — never an overwrite. Bad input fails with `InvalidInput`.
     *
     * @example
     * ```ts
     * const store = yield* EventStore
     * yield* store.append({ id: "evt-1", type: "agent.started", correlationId: "run-7", payload: { agent: "a1" } })
     * ```
     */
    readonly append: (event: NewEvent) => Effect.Effect<StoredEvent, InvalidInput | EventConflict | EventStoreFailure>
    /** Events matching `query` in append order, one page at a time (pass `next` back as `after`). */
    readonly query: (query?: EventQuery) => Effect.Effect<EventPage, InvalidInput | EventStoreFailure>
    /**
     * Subscribes now; the stream yields every event appended afterwards until the scope closes
     * (bounded: see `SUBSCRIBER_BUFFER`).
     */
    readonly subscribe: Effect.Effect<Stream.Stream<StoredEvent>, never, Scope.Scope>
    /** How many events are retained. */
    readonly count: Effect.Effect<number, EventStoreFailure>
  }
>()("mabeam/EventStore") {
  /** In memory with the given retention; fails with `InvalidInput` for bad limits. */
  static readonly layerMemory = (retention: Retention = DEFAULT_RETENTION): Layer.Layer<EventStore, InvalidInput> =>
    Layer.effect(
      EventStore,
      decodeRetention(retention).pipe(Effect.flatMap(makeMemoryBackend), Effect.flatMap(makeEventStore))
    )

  /** In a SQL database (table `mabeam_events`, created if missing) through `SqlClient`. */
  static readonly layerSql = (
    retention: Retention = DEFAULT_RETENTION
  ): Layer.Layer<EventStore, InvalidInput | EventStoreFailure, SqlClient.SqlClient> =>
    Layer.effect(
      EventStore,
      decodeRetention(retention).pipe(Effect.flatMap(makeSqlBackend), Effect.flatMap(makeEventStore))
    )

  /** In memory with the retention of `MabeamConfig` (`events.maxCount`, `events.maxAgeMillis`). */
  static readonly layer: Layer.Layer<EventStore, never, MabeamConfig> = Layer.effect(
    EventStore,
    Effect.gen(function* () {
      const { events } = (yield* MabeamConfig).initial
      const backend = yield* makeMemoryBackend({ maxCount: events.maxCount, maxAgeMillis: events.maxAgeMillis })
      return yield* makeEventStore(backend)
    })
  )
}
