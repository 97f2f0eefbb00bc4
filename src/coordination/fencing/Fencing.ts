/**
 * The resource side of fencing. A lock's lease can be lost without its holder noticing (a pause, a
 * partition, a clock that ran slow): checking the clock before a write is not enough. Every lock
 * grant carries a fencing token that strictly increases; a resource that remembers the highest
 * token it has accepted and refuses lower ones makes a write under a lost lease fail *at the
 * resource*, after a newer holder has written.
 *
 * - `makeFence()`: the check for any user resource: `fence.admit(resource, token)` inside the
 *   resource's own critical section (the same atomic step as the write), or `fenced(fence, resource, token)(write)`
 *   when the write itself is the critical section (an in-process resource, a single fiber).
 * - `makeFencedStore()`: a small key-value store whose writes are fenced per key, check and write
 *   in one atomic step.
 *
 * Equal tokens are admitted (one holder writes many times under one lease); lower ones never.
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema } from "effect"
import { InvalidInput } from "../../errors/index.ts"

/**
 * A write with fencing token `token` was refused: `resource` already accepted `highest`.
 *
 * @since 0.1.0
 * @category errors
 */
export class StaleToken extends Schema.TaggedError<StaleToken>()("StaleToken", {
  resource: Schema.String,
  token: Schema.Number,
  highest: Schema.Number
}) {
  override get message(): string {
    return (
      `resource "${this.resource}" refused fencing token ${this.token}: it already accepted token ${this.highest} ` +
      `from a newer lock holder, so the lease behind token ${this.token} is lost: stop, acquire the lock again and re-read before writing`
    )
  }
}

/**
 * Remembers the highest fencing token accepted per resource and refuses lower ones.
 *
 * @since 0.1.0
 * @category models
 */
export interface Fence {
  /** Accepts `token` for `resource` (recording it) unless a higher one was accepted. Synchronous and atomic. */
  readonly admit: (resource: string, token: number) => Effect.Effect<void, StaleToken | InvalidInput>
  /** The highest token accepted for `resource` (0 when none). */
  readonly highest: (resource: string) => Effect.Effect<number>
}

const badToken = (where: string, token: number) =>
  Number.isSafeInteger(token) && token >= 0
    ? undefined
    : new InvalidInput({ where, issue: `fencing token must be a non-negative integer, got ${token}` })

/**
 * A fence for up to `maxResources` resources (default 100 000; beyond it, a new resource is
 * refused with `InvalidInput` rather than forgetting a token, which would re-admit stale writes).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFence = (maxResources = 100_000): Fence => {
  const tokens = new Map<string, number>()
  const admit = (resource: string, token: number): Effect.Effect<void, StaleToken | InvalidInput> =>
    Effect.suspend((): Effect.Effect<void, StaleToken | InvalidInput> => {
      const bad = badToken("Fence.admit", token)
      if (bad !== undefined) return Effect.fail(bad)
      const highest = tokens.get(resource)
      if (highest === undefined && tokens.size >= maxResources) {
        return Effect.fail(
          new InvalidInput({ where: "Fence.admit", issue: `more than ${maxResources} fenced resources` })
        )
      }
      if (highest !== undefined && token < highest) return Effect.fail(new StaleToken({ resource, token, highest }))
      tokens.set(resource, token)
      return Effect.void
    })
  return { admit, highest: (resource) => Effect.sync(() => tokens.get(resource) ?? 0) }
}

/**
 * Runs `write` only if `fence` admits `token` for `resource` (admission first, then the write).
 *
 * @since 0.1.0
 * @category utils
 */
export const fenced =
  (fence: Fence, resource: string, token: number) =>
  <A, E, R>(write: Effect.Effect<A, E, R>): Effect.Effect<A, E | StaleToken | InvalidInput, R> =>
    Effect.andThen(fence.admit(resource, token), write)

/**
 * A key-value store whose writes carry a fencing token, checked per key in the same step as the write.
 * `E` is the store's own failure (never in memory; `SqlError` over SQL).
 *
 * @since 0.1.0
 * @category models
 */
export interface FencedStore<V, E = never> {
  /** Writes `value` at `key` under `token`; `StaleToken` if a higher token already wrote `key`. */
  readonly write: (key: string, token: number, value: V) => Effect.Effect<void, StaleToken | InvalidInput | E>
  /** The value at `key`, if any. */
  readonly read: (key: string) => Effect.Effect<Option.Option<V>, E>
  /** The highest token that wrote `key` (0 when none). */
  readonly token: (key: string) => Effect.Effect<number, E>
}

/**
 * An in-memory fenced store (at most `maxKeys` keys, default 100 000).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFencedStore = <V>(maxKeys = 100_000): FencedStore<V> => {
  const fence = makeFence(maxKeys)
  const values = new Map<string, V>()
  return {
    // admit and set run in one synchronous step: no other write can come between them.
    write: (key, token, value) =>
      Effect.andThen(
        fence.admit(key, token),
        Effect.sync(() => void values.set(key, value))
      ),
    read: (key) => Effect.sync(() => (values.has(key) ? Option.some(values.get(key) as V) : Option.none())),
    token: fence.highest
  }
}
