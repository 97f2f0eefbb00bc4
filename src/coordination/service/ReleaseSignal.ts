/**
 * Event-driven waiting for a lock: a waiter that was told "busy" sleeps until a release of that
 * lock happens in this process, or until the lease it was told about ends — never in a polling loop.
 *
 * Each lock has a release count; a waiter reads it (`seen`) before asking, and `wait` returns at
 * once if a release happened since, so a release between the answer and the wait is not missed.
 *
 * @since 0.1.0
 */
import { Deferred, Effect } from "effect"

/**
 * Release notifications per lock name (one count and at most one latch per lock name used here).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReleaseSignal {
  /** The number of releases of `lock` seen so far: read it before asking for the lock. */
  readonly seen: (lock: string) => number
  /** A release of `lock` happened: wakes every waiter. */
  readonly wake: (lock: string) => Effect.Effect<void>
  /** Waits up to `ms` for a release of `lock` after the count `seen` (at once if one already happened). */
  readonly wait: (lock: string, seen: number, ms: number) => Effect.Effect<void>
}

/**
 * A fresh signal.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeReleaseSignal = (): ReleaseSignal => {
  const latches = new Map<string, Deferred.Deferred<void>>()
  const counts = new Map<string, number>()
  const seen = (lock: string) => counts.get(lock) ?? 0
  const wake = (lock: string) =>
    Effect.suspend(() => {
      counts.set(lock, seen(lock) + 1)
      const latch = latches.get(lock)
      latches.delete(lock)
      return latch === undefined ? Effect.void : Effect.asVoid(Deferred.succeed(latch, undefined))
    })
  const wait = (lock: string, since: number, ms: number) =>
    Effect.gen(function* () {
      if (seen(lock) !== since) return
      let latch = latches.get(lock)
      if (latch === undefined) latches.set(lock, (latch = yield* Deferred.make<void>()))
      yield* Effect.asVoid(Effect.timeoutOption(Deferred.await(latch), Math.max(1, ms)))
    })
  return { seen, wake, wait }
}
