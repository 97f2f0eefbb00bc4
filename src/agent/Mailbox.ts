/**
 * A bounded, single-consumer mailbox built for agents.
 *
 * Producers enqueue synchronously (`offer`), the owning agent drains everything queued in one
 * step (`takeAll`), so a burst of messages costs one wake-up, not one per message. It holds a plain
 * array and at most one suspended consumer, which keeps an idle agent small.
 *
 * Wake-ups are batched: an offer to an idle mailbox does not resume its consumer inside the
 * sender's call, it puts the mailbox on a ready list that one scheduler task drains (per
 * scheduler), resuming every consumer woken since. A sender that reaches a thousand idle agents
 * in one slice of its fiber pays one scheduler task for all of them, not one each; each consumer
 * then takes everything sent to it meanwhile.
 *
 * @since 0.1.0
 */
import { Effect, type Scheduler } from "effect"
import { invariant } from "../errors/index.ts"

/** The mailboxes woken since the last flush of one scheduler, and whether a flush is scheduled. */
interface WakeBatch {
  readonly dispatcher: Scheduler.SchedulerDispatcher
  ready: Array<Mailbox<unknown>>
  scheduled: boolean
  readonly flush: () => void
}

const batches = new WeakMap<Scheduler.Scheduler, WakeBatch>()

const batchOf = (scheduler: Scheduler.Scheduler): WakeBatch => {
  let batch = batches.get(scheduler)
  if (batch === undefined) {
    const made: WakeBatch = {
      dispatcher: scheduler.makeDispatcher(),
      ready: [],
      scheduled: false,
      flush: () => {
        const ready = made.ready
        made.ready = []
        made.scheduled = false
        for (const mailbox of ready) mailbox.wakeNow()
      }
    }
    batches.set(scheduler, made)
    batch = made
  }
  return batch
}

/**
 * What happens when a message arrives at a full mailbox:
 * - `"backpressure"`: the sender waits until there is room (the default);
 * - `"drop-newest"`: the new message is dropped and counted as a dead letter;
 * - `"fail"`: the sender gets a typed `MailboxFull` error.
 *
 * @since 0.1.0
 * @category models
 */
export type OverflowPolicy = "backpressure" | "drop-newest" | "fail"

/**
 * The outcome of a synchronous offer.
 *
 * @since 0.1.0
 * @category models
 */
export type OfferResult = "accepted" | "full" | "closed"

/**
 * A bounded mailbox with one consumer.
 *
 * `offer` never exceeds `capacity`. `pushFront` may (see there): the letters it puts back were
 * accepted within capacity once, and dropping them would lose messages the runtime promised to
 * deliver; `requeued` counts them until they are drained, and `size ≤ capacity + requeued` is
 * asserted on every offer.
 *
 * @since 0.1.0
 * @category models
 */
export class Mailbox<A> {
  private buffer: Array<A> = []
  private consumer: ((effect: Effect.Effect<Array<A>>) => void) | undefined = undefined
  private scheduler: Scheduler.Scheduler | undefined = undefined
  private wakePending = false
  private requeued = 0
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
    invariant(this.buffer.length <= this.capacity + this.requeued, "mailbox holds more than its capacity")
    this.wake()
    return "accepted"
  }

  /** Schedules the waiting consumer's wake-up (batched with every other wake-up of its scheduler). */
  private wake(): void {
    if (this.consumer === undefined || this.wakePending) return
    this.wakePending = true
    const batch = batchOf(this.scheduler as Scheduler.Scheduler)
    batch.ready.push(this as Mailbox<unknown>)
    if (!batch.scheduled) {
      batch.scheduled = true
      batch.dispatcher.scheduleTask(batch.flush, 0)
    }
  }

  /** Resumes the waiting consumer, if it still waits: it takes what is queued. Called by the batch flush. */
  wakeNow(): void {
    this.wakePending = false
    const consumer = this.consumer
    if (consumer === undefined) return
    this.consumer = undefined
    // Drained by the consumer as it resumes, not here: an interrupted consumer leaves them queued.
    consumer(Effect.sync(() => this.drain()))
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
    const mailbox = this
    return (this.takeAllEffect ??= Effect.callback<Array<A>>(function (this: Scheduler.Scheduler, resume) {
      const batch = mailbox.drain()
      if (batch.length > 0 || mailbox.closedFlag) return resume(Effect.succeed(batch))
      mailbox.consumer = resume
      mailbox.scheduler = this
      return Effect.sync(() => {
        mailbox.consumer = undefined
      })
    }))
  }

  /** Removes and returns everything queued, releasing senders waiting for room. */
  drain(): Array<A> {
    const batch = this.buffer
    if (batch.length === 0) return batch
    this.buffer = []
    this.requeued = 0
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
   * It does not respect `capacity`, on purpose: the requeued letters were accepted within it
   * once (or are signals the runtime owes the agent), and refusing them would lose messages that
   * OTP semantics deliver to the next incarnation. The excess is bounded: at most the batch the
   * crashed incarnation held, counted in `requeued` until the next drain, and offers stay refused
   * until the mailbox is back under `capacity + requeued`.
   */
  pushFront(items: ReadonlyArray<A>): void {
    if (items.length === 0) return
    this.buffer = this.buffer.length === 0 ? [...items] : [...items, ...this.buffer]
    this.requeued += items.length
    this.wake()
  }

  /** Stops accepting messages; wakes the consumer and every waiting sender. Idempotent. */
  close(): void {
    if (this.closedFlag) return
    this.closedFlag = true
    this.wake()
    const senders = this.senders
    this.senders = undefined
    if (senders !== undefined) for (const wake of senders) wake()
  }
}
