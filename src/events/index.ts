/**
 * The event store: append-only, idempotent by id, queryable with pagination, subscribable, bounded.
 *
 * @since 0.1.0
 */
export type { EventBackend } from "./Backend.ts"
export { makeMemoryBackend } from "./backends/memory.ts"
export { makeSqlBackend } from "./backends/sql.ts"
export { EventConflict, EventStoreFailure } from "./EventError.ts"
export { DEFAULT_RETENTION, EventStore, makeEventStore, SUBSCRIBER_BUFFER } from "./EventStore.ts"
export { type EventPage, EventQuery, MAX_PAGE_SIZE, NewEvent, Retention, type StoredEvent } from "./schema.ts"
