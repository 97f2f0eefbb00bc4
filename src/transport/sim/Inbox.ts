/**
 * The bounded single-consumer inbox of a simulated endpoint: producers offer synchronously, the
 * owner drains everything queued at once. A full inbox rejects the newest message.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"

/**
 * A bounded inbox with one consumer.
 *
 * @since 0.1.0
 * @category models
 */
export class Inbox<A> {
  readonly capacity: number
  private buffer: Array<A> = []
  private consumer: (() => void) | undefined = undefined
  private closedFlag = false

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** Enqueues `item` if there is room and the inbox is open; returns whether it was accepted. */
  offer(item: A): boolean {
    if (this.closedFlag || this.buffer.length >= this.capacity) return false
    this.buffer.push(item)
    const consumer = this.consumer
    if (consumer !== undefined) {
      this.consumer = undefined
      consumer()
    }
    return true
  }

  /** Waits for and takes every queued item; an empty batch only once closed. */
  readonly takeAll: Effect.Effect<ReadonlyArray<A>> = Effect.callback<ReadonlyArray<A>>((resume) => {
    if (this.buffer.length > 0 || this.closedFlag) return resume(Effect.succeed(this.drain()))
    this.consumer = () => resume(Effect.sync(() => this.drain()))
    return Effect.sync(() => {
      this.consumer = undefined
    })
  })

  /** Stops accepting items and wakes the consumer. */
  close(): void {
    this.closedFlag = true
    const consumer = this.consumer
    this.consumer = undefined
    consumer?.()
  }

  private drain(): Array<A> {
    const batch = this.buffer
    this.buffer = []
    return batch
  }
}
