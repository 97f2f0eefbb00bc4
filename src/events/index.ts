/**
 * The event store (`mabeam/events`): append-only, idempotent by id, queryable with pagination,
 * subscribable, bounded. `Mabeam.layer` provides it (memory, or SQLite by config).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { EventStore } from "mabeam/events"
 *
 * const program = Effect.gen(function*() {
 *   const events = yield* EventStore
 *   yield* events.append({ id: "order-1-placed", type: "order.placed", payload: { total: 42 } })
 *   return yield* events.query()   // a page of stored events
 * })
 * ```
 *
 * @since 0.1.0
 */
export type { EventBackend } from "./Backend.ts"
export { makeMemoryBackend } from "./backends/memory.ts"
export { makeSqlBackend } from "./backends/sql.ts"
export { EventConflict, EventStoreFailure } from "./EventError.ts"
export { DEFAULT_RETENTION, EventStore, makeEventStore, SUBSCRIBER_BUFFER } from "./EventStore.ts"
export { type EventPage, EventQuery, MAX_PAGE_SIZE, NewEvent, Retention, type StoredEvent } from "./schema.ts"
