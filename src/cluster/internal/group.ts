/**
 * Group execution, as databases group-commit their logs: callers submit items one at a time; the
 * first caller to find the group idle becomes its leader and runs every item waiting then (up to
 * `maxBatch`) as one batch; callers that arrive while a batch runs wait and are taken together
 * by the next leader. No timer and no background fiber: a batch is whatever accumulated during
 * the previous one (plus those scheduled in the same tick), so a lone caller pays one round trip
 * and a crowd shares one.
 */
import { Deferred, Effect, Exit, Semaphore } from "effect"

/**
 * A group: `submit` resolves with the item's own result once the batch that holds it ran.
 *
 * @since 0.1.0
 * @category models
 */
export interface Group<I, O, E> {
  readonly submit: (item: I) => Effect.Effect<O, E>
}

interface Waiting<I, O, E> {
  readonly item: I
  readonly done: Deferred.Deferred<O, E>
}

/**
 * Builds a group over `run`, which takes a non-empty batch and returns one result per item, in
 * order. A failed batch fails every item of it. `maxBatch` bounds a batch; the queue of waiting
 * items is bounded by the number of callers, each of which waits for its own item.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <I, O, E>(
  run: (items: ReadonlyArray<I>) => Effect.Effect<ReadonlyArray<O>, E>,
  maxBatch: number
): Group<I, O, E> => {
  const limit = Math.max(1, Math.floor(maxBatch))
  const lock = Semaphore.makeUnsafe(1)
  let waiting: Array<Waiting<I, O, E>> = []

  // Uninterruptible: a batch taken off the queue always completes every Deferred in it.
  const runBatch = Effect.uninterruptible(
    Effect.suspend(() => {
      const batch = waiting.length <= limit ? waiting : waiting.slice(0, limit)
      waiting = waiting.length <= limit ? [] : waiting.slice(limit)
      return Effect.exit(run(batch.map((w) => w.item))).pipe(
        Effect.map((exit) => {
          for (let i = 0; i < batch.length; i++) {
            const done = batch[i]!.done
            if (Exit.isSuccess(exit)) Deferred.doneUnsafe(done, Exit.succeed(exit.value[i] as O))
            else Deferred.doneUnsafe(done, Exit.failCause(exit.cause))
          }
        })
      )
    })
  )

  // Leads batches until the caller's own item has been run (it may not fit in the first one).
  // The leader yields first: callers already scheduled (e.g. agents handling their messages in
  // the same tick) submit before the batch is taken; with a synchronous driver (node:sqlite)
  // nobody else would run before the batch is written.
  const lead = (done: Deferred.Deferred<O, E>): Effect.Effect<void> =>
    Effect.suspend(() =>
      Deferred.isDoneUnsafe(done) || waiting.length === 0
        ? Effect.void
        : Effect.yieldNow.pipe(Effect.andThen(runBatch), Effect.andThen(lead(done)))
    )

  return {
    submit: (item) =>
      Effect.suspend(() => {
        const done = Deferred.makeUnsafe<O, E>()
        waiting.push({ item, done })
        return lock
          .withPermits(1)(lead(done))
          .pipe(Effect.andThen(Deferred.await(done)))
      })
  }
}
