/**
 * The client side of the lease lock: `acquire` asks the owner over a `Transport` endpoint and
 * holds the lease for the current scope; closing the scope releases it.
 *
 * @since 0.1.0
 */
import { Clock, Effect, Option, Random, Schema, type Scope } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import type { Address, Endpoint } from "../../transport/index.ts"
import { LockBusy, LockTimeout } from "./LockError.ts"
import { isLockMessage, leaseUntil } from "./LockServer.ts"

/**
 * What `acquire` takes: the lock's name, the lease in ms, how long to wait for the owner.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AcquireInput = Schema.Struct({
  lock: Schema.NonEmptyString,
  ttl: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  timeout: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)))
})
/**
 * What `acquire` takes.
 *
 * @since 0.1.0
 * @category models
 */
export type AcquireInput = typeof AcquireInput.Type

/**
 * A held lease: pass `token` to every guarded resource; do not rely on it after `until`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lease {
  readonly lock: string
  readonly token: number
  readonly until: number
}

/**
 * Acquires `lock` from the owner at `owner` through `endpoint` (which must be dedicated to this
 * client: other messages arriving meanwhile are discarded). The lease is released when the
 * current scope closes. Fails with `LockBusy`, `LockTimeout` (default 1000 ms) or `InvalidInput`.
 *
 * @example
 * ```ts
 * const lease = yield* acquire(endpoint, { node: "owner", id: "lock" }, { lock: "db", ttl: 5_000 })
 * yield* writeGuarded(lease.token)
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const acquire = (
  endpoint: Endpoint,
  owner: Address,
  input: AcquireInput
): Effect.Effect<Lease, InvalidInput | LockBusy | LockTimeout, Scope.Scope> =>
  Effect.gen(function* () {
    const valid = yield* decodeInput(AcquireInput, "Lock.acquire")(input)
    const timeout = valid.timeout ?? 1_000
    const id = `${endpoint.address.node}/${endpoint.address.id}#${yield* Random.nextInt}`
    const request = Effect.gen(function* () {
      const sentAt = yield* Clock.currentTimeMillis
      yield* endpoint.send(owner, { _tag: "Acquire", lock: valid.lock, ttl: valid.ttl, id })
      const reply = Effect.gen(function* () {
        while (true) {
          for (const envelope of yield* endpoint.receive) {
            const m = envelope.message
            if (isLockMessage(m) && (m._tag === "Granted" || m._tag === "Busy") && m.id === id) return m
          }
        }
      })
      const answer = yield* Effect.timeoutOption(reply, timeout)
      if (Option.isNone(answer)) return yield* new LockTimeout({ lock: valid.lock, timeout })
      const m = answer.value
      if (m._tag === "Busy") return yield* new LockBusy({ lock: valid.lock, expires: m.expires })
      return { lock: valid.lock, token: m.token, until: leaseUntil(sentAt, valid.ttl) } satisfies Lease
    })
    // The wait for the owner's answer stays interruptible (an acquire is uninterruptible by
    // default): interrupted after the owner granted, the lease is simply never released and ends
    // at its TTL, which is what leases are for.
    return yield* Effect.acquireRelease(Effect.interruptible(request), (lease) =>
      endpoint.send(owner, { _tag: "Release", lock: lease.lock, token: lease.token })
    )
  })
