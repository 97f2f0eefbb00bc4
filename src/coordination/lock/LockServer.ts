/**
 * A lease lock with fencing tokens, served by a single owner node as a pure step function.
 *
 * A client sends `Acquire { lock, ttl, id }`; the owner grants when the lock is free or its lease
 * expired (by the owner's clock), with a fencing token that strictly increases across all grants.
 * A client must treat its lease as valid only until `sentAt + ttl` (`leaseUntil`): it started the
 * clock before the owner did, so two clients never both believe they hold the lock. Resources
 * guarded by the lock must reject writes whose token is below the highest seen.
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"
import { emit, type Event, type Output, type Protocol, send, type Step } from "../Protocol.ts"

/**
 * Messages between lock clients and the owner.
 *
 * @since 0.1.0
 * @category models
 */
export type LockMessage =
  | { readonly _tag: "Acquire"; readonly lock: string; readonly ttl: number; readonly id: string }
  | { readonly _tag: "Release"; readonly lock: string; readonly token: number }
  | {
      readonly _tag: "Granted"
      readonly lock: string
      readonly token: number
      readonly id: string
      readonly expires: number
    }
  | { readonly _tag: "Busy"; readonly lock: string; readonly id: string; readonly expires: number }

/**
 * One held lock, as the owner sees it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Held {
  readonly holder: Address
  readonly token: number
  readonly expires: number
}

/**
 * The owner's state (also what it persists: a restarted owner keeps tokens and leases).
 *
 * @since 0.1.0
 * @category models
 */
export interface LockServerState {
  readonly token: number
  readonly locks: Readonly<Record<string, Held>>
  /** At most this many locks are tracked; an `Acquire` of a new lock beyond it is answered `Busy`. */
  readonly maxLocks: number
}

/**
 * What the owner reports: every grant and release, for checkers and audit.
 *
 * @since 0.1.0
 * @category models
 */
export type LockEmit =
  | {
      readonly _tag: "Grant"
      readonly lock: string
      readonly token: number
      readonly holder: Address
      readonly expires: number
    }
  | { readonly _tag: "Free"; readonly lock: string; readonly token: number }

/**
 * The last moment a client may rely on a lease it asked for at `sentAt` (its own clock).
 *
 * @since 0.1.0
 * @category utils
 */
export const leaseUntil = (sentAt: number, ttl: number): number => sentAt + ttl

/**
 * One step of the lock owner. Pure and total; tokens strictly increase.
 *
 * @since 0.1.0
 * @category utils
 */
export const lockServerStep = (
  s: LockServerState,
  e: Event<LockMessage>
): Step<LockServerState, LockMessage, LockEmit> => {
  if (e._tag !== "Receive") return { state: s, outputs: [] }
  const m = e.message
  const out: Array<Output<LockMessage, LockEmit>> = []
  switch (m._tag) {
    case "Acquire": {
      const held = s.locks[m.lock]
      const known = held !== undefined || Object.keys(s.locks).length < s.maxLocks
      if (!known || (held !== undefined && held.expires > e.now)) {
        out.push(send(e.from, { _tag: "Busy", lock: m.lock, id: m.id, expires: held?.expires ?? e.now }))
        return { state: s, outputs: out }
      }
      const token = s.token + 1
      const expires = e.now + m.ttl
      out.push(
        emit({ _tag: "Grant", lock: m.lock, token, holder: e.from, expires }),
        send(e.from, { _tag: "Granted", lock: m.lock, token, id: m.id, expires })
      )
      return {
        state: { ...s, token, locks: { ...s.locks, [m.lock]: { holder: e.from, token, expires } } },
        outputs: out
      }
    }
    case "Release": {
      if (s.locks[m.lock]?.token !== m.token) return { state: s, outputs: [] }
      const { [m.lock]: _released, ...locks } = s.locks
      return { state: { ...s, locks }, outputs: [emit({ _tag: "Free", lock: m.lock, token: m.token })] }
    }
    default:
      return { state: s, outputs: [] }
  }
}

const isString = (o: Record<string, unknown>, k: string) => typeof o[k] === "string"
const isCount = (o: Record<string, unknown>, k: string) =>
  typeof o[k] === "number" && Number.isSafeInteger(o[k]) && (o[k] as number) >= 0

/**
 * Structural check of an inbound lock message.
 *
 * @since 0.1.0
 * @category guards
 */
export const isLockMessage = (u: unknown): u is LockMessage => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  switch (o["_tag"]) {
    case "Acquire":
      return isString(o, "lock") && isString(o, "id") && isCount(o, "ttl") && (o["ttl"] as number) > 0
    case "Release":
      return isString(o, "lock") && isCount(o, "token")
    case "Granted":
      return isString(o, "lock") && isString(o, "id") && isCount(o, "token") && typeof o["expires"] === "number"
    case "Busy":
      return isString(o, "lock") && isString(o, "id") && typeof o["expires"] === "number"
    default:
      return false
  }
}

/**
 * The lock owner as a `Protocol` (endpoint id `service`, default `"lock"`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLockServer = (
  options: { readonly service?: string; readonly maxLocks?: number } = {}
): Protocol<LockServerState, LockMessage, LockServerState, LockEmit> => ({
  name: options.service ?? "lock",
  init: (_self, persisted) => persisted ?? { token: 0, locks: {}, maxLocks: options.maxLocks ?? 10_000 },
  step: lockServerStep,
  persist: (s) => s,
  isMessage: isLockMessage
})
