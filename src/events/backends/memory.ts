/**
 * The in-memory backend: events in append order plus an index by id. Retention is enforced on
 * every insert (oldest first, by count and by age) and expired events are never returned.
 *
 * @since 0.1.0
 */
import { invariant } from "../../errors/Invariant.ts"
import { Effect } from "effect"
import type { EventBackend } from "../Backend.ts"
import { DEFAULT_LIMIT, matches, oldestRetained, toPage } from "../internal/page.ts"
import type { NewEvent, Retention, StoredEvent } from "../schema.ts"

/**
 * Builds an empty memory backend with `retention`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemoryBackend = (retention: Retention): Effect.Effect<EventBackend> =>
  Effect.sync(() => {
    // `log[head..]` are the live events; the prefix is compacted away once it is half the array.
    let log: Array<StoredEvent> = []
    let head = 0
    let sequence = 0
    const byId = new Map<string, StoredEvent>()

    const dropOldest = () => {
      const oldest = log[head]
      if (oldest !== undefined) byId.delete(oldest.id)
      head++
    }
    const applyRetention = (now: number) => {
      while (log.length - head > retention.maxCount) dropOldest()
      const oldest = oldestRetained(retention, now)
      while (head < log.length && (log[head]?.time ?? Infinity) < oldest) dropOldest()
      if (head > 1_024 && head * 2 > log.length) {
        log = log.slice(head)
        head = 0
      }
    }

    return {
      findById: (id) => Effect.sync(() => byId.get(id)),
      insert: (event: NewEvent, time: number) =>
        Effect.sync(() => {
          sequence++
          const stored: StoredEvent = {
            sequence,
            id: event.id,
            type: event.type,
            time,
            ...(event.correlationId === undefined ? {} : { correlationId: event.correlationId }),
            payload: event.payload
          }
          const previous = log[log.length - 1]
          invariant(previous === undefined || previous.sequence < sequence, "event sequence numbers must increase")
          log.push(stored)
          byId.set(stored.id, stored)
          applyRetention(time)
          invariant(log.length - head <= retention.maxCount, `event log holds more than maxCount ${retention.maxCount}`)
          invariant(byId.size === log.length - head, "the id index and the live log disagree")
          return stored
        }),
      query: (query, now) =>
        Effect.sync(() => {
          const limit = query.limit ?? DEFAULT_LIMIT
          const oldest = oldestRetained(retention, now)
          const out: Array<StoredEvent> = []
          for (let i = head; i < log.length && out.length <= limit; i++) {
            const event = log[i]
            if (event !== undefined && matches(event, query, oldest)) out.push(event)
          }
          return toPage(out, limit)
        }),
      count: Effect.sync(() => log.length - head)
    }
  })
