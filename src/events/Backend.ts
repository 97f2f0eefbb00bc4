/**
 * The small interface each event-store backend implements. The `EventStore` service adds input
 * validation, idempotency, conflicts, subscriptions and telemetry on top, identically for all.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"
import type { EventStoreFailure } from "./EventError.ts"
import type { EventPage, EventQuery, NewEvent, StoredEvent } from "./schema.ts"

/**
 * A storage backend. Calls are serialized by the service (one append at a time).
 *
 * @since 0.1.0
 * @category models
 */
export interface EventBackend {
  /** The stored event with `id`, if any (and not yet removed by retention). */
  readonly findById: (id: string) => Effect.Effect<StoredEvent | undefined, EventStoreFailure>
  /** Stores a new event at `time`, assigning the next sequence number, then applies retention at `time`. */
  readonly insert: (event: NewEvent, time: number) => Effect.Effect<StoredEvent, EventStoreFailure>
  /** Events matching `query`, in sequence order, excluding those expired at `now`. */
  readonly query: (query: EventQuery, now: number) => Effect.Effect<EventPage, EventStoreFailure>
  /** How many events are stored. */
  readonly count: Effect.Effect<number, EventStoreFailure>
}
