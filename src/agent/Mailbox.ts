/**
 * A bounded, single-consumer mailbox built for agents.
 *
 * Producers enqueue synchronously (`offer`), the owning agent drains everything queued in one
 * step (`takeAll`), so a burst of messages costs one wake-up, not one per message. It holds a plain
 * array and at most one suspended consumer, which keeps an idle agent small.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"

/**
 * What happens when a message arrives at a full mailbox:
 * - `"backpressure"`: the sender waits until there is room (the default);
 * - `"drop-newest"`: the new message is dropped and counted as a dead letter;
 * - `"fail"`: the sender gets a typed `MailboxFull` error.
 */
export type OverflowPolicy = "backpressure" | "drop-newest" | "fail"

/** The outcome of a synchronous offer. */
export type OfferResult = "accepted" | "full" | "closed"

/** A bounded mailbox with one consumer. */
export class Mailbox<A> {
  private buffer: Array<A> = []
  private consumer: (() => void) | undefined = undefined
  private senders: Array<() => void> | undefined = undefined
  private closedFlag = false
  private takeAllEffect: Effect.Effect<Array<A>> | undefined = undefined

  readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`mailbox capacity must be a positive integer, got ${capacity}`)
    }
  }

  /** Messages waiting to be handled. */
  get size(): number {
    return this.buffer.length
  }

  /** True once `close` was called: no further message is accepted. */
  get closed(): boolean {
    return this.closedFlag
  }

  /** Enqueues `message` if there is room. Never blocks. */
  offer(message: A): OfferResult {
    if (this.closedFlag) return "closed"
    if (this.buffer.length >= this.capacity) return "full"
    this.buffer.push(message)
    const consumer = this.consumer
    if (consumer !== undefined) {
      this.consumer = undefined
      consumer()
    }
    return "accepted"
  }

  /** Waits until the mailbox has room (or is closed). Used by the backpressure policy. */
  awaitRoom(): Effect.Effect<void> {
    return Effect.callback<void>((resume) => {
    if (this.closedFlag || this.buffer.length < this.capacity) return resume(Effect.void)
    const waiting = () => resume(Effect.void)
    ;(this.senders ??= []).push(waiting)
    return Effect.sync(() => {
      const index = this.senders?.indexOf(waiting) ?? -1
      if (index >= 0) this.senders?.splice(index, 1)
    })
    })
  }

  /**
   * Takes every queued message at once, waiting while the mailbox is empty. Yields an empty
   * batch only once the mailbox is closed and drained.
   */
  get takeAll(): Effect.Effect<Array<A>> {
    // Built on first use, so a mailbox that never waits costs nothing for it.
    return this.takeAllEffect ??= Effect.callback<Array<A>>((resume) => {
      const batch = this.drain()
      if (batch.length > 0 || this.closedFlag) return resume(Effect.succeed(batch))
      // Resuming runs the consumer at once, inside the sender's call: yield first, so the
      // messages sent meanwhile join the batch and the sender is not held up.
      this.consumer = () => resume(Effect.andThen(Effect.yieldNow, Effect.sync(() => this.drain())))
      return Effect.sync(() => {
        this.consumer = undefined
      })
    })
  }

  /** Removes and returns everything queued, releasing senders waiting for room. */
  drain(): Array<A> {
    const batch = this.buffer
    if (batch.length === 0) return batch
    this.buffer = []
    const senders = this.senders
    if (senders !== undefined && senders.length > 0) {
      this.senders = undefined
      for (const wake of senders) wake()
    }
    return batch
  }

  /**
   * Puts letters back at the front, beyond capacity and even when closed (so `drain` still sees
   * them): used to requeue what a crashed incarnation did not handle, and for crash signals.
   */
  pushFront(items: ReadonlyArray<A>): void {
    if (items.length === 0) return
    this.buffer = this.buffer.length === 0 ? [...items] : [...items, ...this.buffer]
    const consumer = this.consumer
    if (consumer !== undefined) {
      this.consumer = undefined
      consumer()
    }
  }

  /** Stops accepting messages; wakes the consumer and every waiting sender. Idempotent. */
  close(): void {
    if (this.closedFlag) return
    this.closedFlag = true
    const consumer = this.consumer
    this.consumer = undefined
    consumer?.()
    const senders = this.senders
    this.senders = undefined
    if (senders !== undefined) for (const wake of senders) wake()
  }
}
