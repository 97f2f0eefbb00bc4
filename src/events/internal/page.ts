/**
 * Shared query helpers for backends.
 *
 * @internal
 */
import { invariant } from "../../errors/Invariant.ts"
import type { EventPage, EventQuery, Retention, StoredEvent } from "../schema.ts"

/**
 * The default page size.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_LIMIT = 100

/**
 * The oldest `time` still retained at `now` (`-Infinity` without an age limit).
 *
 * @since 0.1.0
 * @category utils
 */
export const oldestRetained = (retention: Retention, now: number): number =>
  retention.maxAgeMillis === 0 ? -Infinity : now - retention.maxAgeMillis

/**
 * Whether `event` matches every filter of `query`.
 *
 * @since 0.1.0
 * @category utils
 */
export const matches = (event: StoredEvent, query: EventQuery, oldest: number): boolean =>
  event.time >= oldest &&
  (query.after === undefined || event.sequence > query.after) &&
  (query.type === undefined || event.type === query.type) &&
  (query.correlationId === undefined || event.correlationId === query.correlationId) &&
  (query.from === undefined || event.time >= query.from) &&
  (query.to === undefined || event.time < query.to)

/**
 * Cuts `candidates` (up to limit + 1, in order) into a page.
 *
 * @since 0.1.0
 * @category utils
 */
export const toPage = (candidates: ReadonlyArray<StoredEvent>, limit: number): EventPage => {
  if (candidates.length <= limit) return { events: candidates }
  const events = candidates.slice(0, limit)
  const last = events[events.length - 1]
  invariant(last === undefined || events[0]!.sequence <= last.sequence, "a page must be in sequence order")
  return last === undefined ? { events } : { events, next: last.sequence }
}
