/**
 * A simulated clock for the cluster simulation: `sleep` waits until the driver moves the clock past
 * its deadline; `advance` wakes the due sleepers in deadline order (registration order on ties)
 * and returns at once. `TestClock.adjust` instead waits for each woken fiber to go idle before
 * waking the next; with the background fibers of fifty runners the driver here rather lets all
 * fibers run between two advances, until they stop making progress (`simulate.ts`).
 */
import { Clock, Duration, Effect, Latch } from "effect"

/** A clock the driver moves. */
export interface SimClock extends Clock.Clock {
  /** Moves time forward by `millis`, waking every sleep due by then. */
  readonly advance: (millis: number) => void
}

/** A simulated clock at time 0. */
export const makeSimClock = (): SimClock => {
  let now = 0
  let sequence = 0
  // Kept sorted by (deadline, sequence): the earliest first.
  let sleeps: Array<{ readonly at: number; readonly seq: number; readonly latch: Latch.Latch }> = []
  const nanos = () => BigInt(now) * 1_000_000n
  return {
    currentTimeMillisUnsafe: () => now,
    currentTimeMillis: Effect.sync(() => now),
    currentTimeNanosUnsafe: nanos,
    currentTimeNanos: Effect.sync(nanos),
    monotonicTimeNanosUnsafe: nanos,
    monotonicTimeNanos: Effect.sync(nanos),
    sleep: (duration: Duration.Duration) =>
      Effect.suspend(() => {
        const millis = Duration.toMillis(duration)
        if (!(millis > 0)) return Effect.yieldNow
        const entry = { at: now + millis, seq: sequence++, latch: Latch.makeUnsafe(false) }
        let low = 0
        let high = sleeps.length
        while (low < high) {
          const mid = (low + high) >>> 1
          if (sleeps[mid]!.at <= entry.at) low = mid + 1
          else high = mid
        }
        sleeps.splice(low, 0, entry)
        return entry.latch.await.pipe(
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              const index = sleeps.indexOf(entry)
              if (index >= 0) sleeps.splice(index, 1)
            })
          )
        )
      }),
    advance: (millis) => {
      now += millis
      let due = 0
      while (due < sleeps.length && sleeps[due]!.at <= now) due++
      const woken = sleeps.slice(0, due)
      sleeps = sleeps.slice(due)
      for (const entry of woken) entry.latch.openUnsafe()
    }
  }
}
