/**
 * Schemas of what crosses the event-store boundary.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const Text = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200))

/**
 * An event to append. `id` is the idempotency key; `payload` must be JSON.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NewEvent = Schema.Struct({
  id: Text,
  type: Text,
  correlationId: Schema.optionalKey(Text),
  payload: Schema.Json
})

/**
 * An event to append.
 *
 * @since 0.1.0
 * @category models
 */
export type NewEvent = typeof NewEvent.Type

/**
 * A stored event. `time` is epoch millis from `Clock` at append; `sequence` increases strictly in
 * append order and is the pagination cursor.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredEvent {
  readonly sequence: number
  readonly id: string
  readonly type: string
  readonly time: number
  readonly correlationId?: string
  readonly payload: Schema.Json
}

/**
 * Most events one page may hold.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_PAGE_SIZE = 1_000

/**
 * A query: every given filter must match; `from` is inclusive, `to` exclusive (epoch millis);
 * `after` is the `next` cursor of the previous page; `limit` defaults to 100.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventQuery = Schema.Struct({
  type: Schema.optionalKey(Text),
  correlationId: Schema.optionalKey(Text),
  from: Schema.optionalKey(Schema.Int),
  to: Schema.optionalKey(Schema.Int),
  after: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))),
  limit: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: MAX_PAGE_SIZE })))
})

/**
 * A query.
 *
 * @since 0.1.0
 * @category models
 */
export type EventQuery = typeof EventQuery.Type

/**
 * One page of results in append order; `next` is set when more may follow.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventPage {
  readonly events: ReadonlyArray<StoredEvent>
  readonly next?: number
}

/**
 * Retention: keep at most `maxCount` events, and none older than `maxAgeMillis` (0 = no age limit).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Retention = Schema.Struct({
  maxCount: Schema.Int.check(Schema.isGreaterThan(0)),
  maxAgeMillis: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
})

/**
 * Retention limits.
 *
 * @since 0.1.0
 * @category models
 */
export type Retention = typeof Retention.Type
