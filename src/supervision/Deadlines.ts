/**
 * Deadlines: one timer for many timeouts. Used for ask timeouts and shutdown timeouts.
 *
 * One timer for many deadlines: an indexed min-heap of deadlines served by a single fiber that
 * sleeps on the `Clock` until the earliest one. Asks use it instead of one timer each, so an ask
 * costs a heap insert and removal, not a fiber race; and `TestClock` drives it like any sleep.
 */
import { Duration, Effect, type Exit, type Fiber, Option } from "effect"

/**
 * A scheduled deadline; cancel it with `Deadlines.cancel`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deadline {
  readonly at: number
  readonly fire: () => void
  index: number
}

/**
 * A min-heap of deadlines and the loop that fires them.
 *
 * @since 0.1.0
 * @category models
 */
export class Deadlines {
  private readonly heap: Array<Deadline> = []
  private wake: (() => void) | undefined = undefined
  private sleepingUntil = Infinity
  private readonly now: () => number

  constructor(now: () => number) {
    this.now = now
  }

  /** Pending deadlines. */
  get size(): number {
    return this.heap.length
  }

  /** Calls `fire` after `millis` (on the clock the loop runs on), unless cancelled first. */
  schedule(millis: number, fire: () => void): Deadline {
    const deadline: Deadline = { at: this.now() + millis, fire, index: this.heap.length }
    this.heap.push(deadline)
    this.up(deadline.index)
    if (deadline.at < this.sleepingUntil) this.interruptSleep()
    return deadline
  }

  /** Removes a deadline that has not fired. Idempotent. */
  cancel(deadline: Deadline): void {
    const index = deadline.index
    if (index < 0 || this.heap[index] !== deadline) return
    deadline.index = -1
    const last = this.heap.pop() as Deadline
    if (index < this.heap.length) {
      this.heap[index] = last
      last.index = index
      this.down(index)
      this.up(index)
    }
  }

  /**
   * Waits for `fiber` to exit, at most `millis`: `Some(exit)` if it did, `None` on timeout.
   * Cheaper than `Fiber.await` + `Effect.timeoutOption`, which start a timer and a race each.
   */
  awaitFiber<A, E>(fiber: Fiber.Fiber<A, E>, millis: number): Effect.Effect<Option.Option<Exit.Exit<A, E>>> {
    return Effect.callback<Option.Option<Exit.Exit<A, E>>>((resume) => {
      const done = fiber.pollUnsafe()
      if (done !== undefined) return resume(Effect.succeed(Option.some(done)))
      const deadline = this.schedule(millis, () => {
        stopObserving()
        resume(Effect.succeed(Option.none()))
      })
      const stopObserving = fiber.addObserver((exit) => {
        this.cancel(deadline)
        resume(Effect.succeed(Option.some(exit)))
      })
      return Effect.sync(() => {
        stopObserving()
        this.cancel(deadline)
      })
    })
  }

  /** The loop: sleeps until the earliest deadline, fires what is due, forever. Fork it into a scope. */
  readonly run: Effect.Effect<never> = Effect.suspend(() => {
    const waitForWork = Effect.callback<void>((resume) => {
      this.wake = () => resume(Effect.void)
    })
    const step = Effect.suspend(() => {
      this.fireDue()
      const next = this.heap[0]
      if (next === undefined) {
        this.sleepingUntil = Infinity
        return waitForWork
      }
      this.sleepingUntil = next.at
      return Effect.raceFirst(Effect.sleep(Duration.millis(Math.max(0, next.at - this.now()))), waitForWork)
    })
    return Effect.forever(
      step.pipe(
        Effect.ensuring(
          Effect.sync(() => {
            this.wake = undefined
          })
        )
      )
    )
  })

  private interruptSleep(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private fireDue(): void {
    const now = this.now()
    while (this.heap.length > 0 && (this.heap[0] as Deadline).at <= now) {
      const due = this.heap[0] as Deadline
      this.cancel(due)
      due.fire()
    }
  }

  private up(index: number): void {
    const heap = this.heap
    const item = heap[index] as Deadline
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = heap[parentIndex] as Deadline
      if (parent.at <= item.at) break
      heap[index] = parent
      parent.index = index
      index = parentIndex
    }
    heap[index] = item
    item.index = index
  }

  private down(index: number): void {
    const heap = this.heap
    const item = heap[index] as Deadline
    const length = heap.length
    while (true) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      const child = right < length && (heap[right] as Deadline).at < (heap[left] as Deadline).at ? right : left
      const candidate = heap[child] as Deadline
      if (candidate.at >= item.at) break
      heap[index] = candidate
      candidate.index = index
      index = child
    }
    heap[index] = item
    item.index = index
  }
}
