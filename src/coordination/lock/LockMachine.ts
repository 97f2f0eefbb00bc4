/**
 * The lease lock as a deterministic state machine for a replicated log: commands carry the
 * proposing leader's clock reading (`at`), so every replica applies them to the same holder,
 * lease expiry and fencing token. Used by the Raft lock (`RaftLock.ts`).
 *
 * Time: the machine keeps `clock`, the highest `at` applied so far, and judges expiry by it, so a
 * lease ends for the machine no earlier than `at + ttl` of its grant. A client that started its
 * clock before sending (`leaseUntil(sentAt, ttl)`, `sentAt <= at`) stops relying on the lease
 * first. This assumes the replicas' clocks do not run ahead of the clients' (the simulator has one
 * clock; on real hosts, clients should subtract the clock drift bound from their ttl).
 *
 * @since 0.1.0
 */
import type { Address } from "../../transport/index.ts"

/**
 * A command in the log. `at` is the proposing leader's clock when it appended the command.
 *
 * @since 0.1.0
 * @category models
 */
export type LockCommand =
  | {
      readonly _tag: "Acquire"
      readonly lock: string
      readonly ttl: number
      readonly id: string
      readonly holder: Address
      readonly at: number
    }
  | { readonly _tag: "Release"; readonly lock: string; readonly token: number; readonly at: number }

/**
 * One held lock in the machine: its grant's request id, holder, fencing token and expiry.
 *
 * @since 0.1.0
 * @category models
 */
export interface MachineHeld {
  readonly id: string
  readonly holder: Address
  readonly token: number
  readonly expires: number
}

/**
 * The replicated lock state.
 *
 * @since 0.1.0
 * @category models
 */
export interface LockMachine {
  /** The last fencing token granted (strictly increasing along the log). */
  readonly token: number
  /** The highest `at` applied so far. */
  readonly clock: number
  readonly locks: Readonly<Record<string, MachineHeld>>
  /** At most this many locks are tracked; an `Acquire` of a new lock beyond it is `Busy`. */
  readonly maxLocks: number
}

/**
 * What applying a command did.
 *
 * @since 0.1.0
 * @category models
 */
export type LockResult =
  | { readonly _tag: "Granted"; readonly token: number; readonly expires: number }
  | { readonly _tag: "Busy"; readonly expires: number }
  | { readonly _tag: "Released"; readonly token: number }
  | { readonly _tag: "Ignored" }

/**
 * An empty machine.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyLockMachine = (maxLocks = 10_000): LockMachine => ({ token: 0, clock: 0, locks: {}, maxLocks })

/**
 * Applies one committed command. Pure and deterministic. `grantWhileHeld` is a deliberately broken
 * variant (it ignores unexpired leases) for proving the checkers; never set it in production.
 *
 * @since 0.1.0
 * @category utils
 */
export const applyLockCommand = (
  m: LockMachine,
  cmd: LockCommand,
  grantWhileHeld = false
): { readonly machine: LockMachine; readonly result: LockResult } => {
  const clock = Math.max(m.clock, cmd.at)
  if (cmd._tag === "Release") {
    if (m.locks[cmd.lock]?.token !== cmd.token) return { machine: { ...m, clock }, result: { _tag: "Ignored" } }
    const { [cmd.lock]: _released, ...locks } = m.locks
    return { machine: { ...m, clock, locks }, result: { _tag: "Released", token: cmd.token } }
  }
  const held = m.locks[cmd.lock]
  const room = held !== undefined || Object.keys(m.locks).length < m.maxLocks
  if (!room || (held !== undefined && held.expires > clock && !grantWhileHeld)) {
    return { machine: { ...m, clock }, result: { _tag: "Busy", expires: held?.expires ?? clock } }
  }
  const token = m.token + 1
  const expires = clock + cmd.ttl
  return {
    machine: {
      ...m,
      clock,
      token,
      locks: { ...m.locks, [cmd.lock]: { id: cmd.id, holder: cmd.holder, token, expires } }
    },
    result: { _tag: "Granted", token, expires }
  }
}

const isCount = (o: Record<string, unknown>, k: string) =>
  typeof o[k] === "number" && Number.isSafeInteger(o[k]) && (o[k] as number) >= 0
const isAddress = (u: unknown) =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as Record<string, unknown>)["node"] === "string" &&
  typeof (u as Record<string, unknown>)["id"] === "string"

/**
 * Structural check of a lock command (inside a Raft entry).
 *
 * @since 0.1.0
 * @category guards
 */
export const isLockCommand = (u: unknown): u is LockCommand => {
  if (typeof u !== "object" || u === null) return false
  const o = u as Record<string, unknown>
  if (typeof o["lock"] !== "string" || typeof o["at"] !== "number") return false
  switch (o["_tag"]) {
    case "Acquire":
      return isCount(o, "ttl") && (o["ttl"] as number) > 0 && typeof o["id"] === "string" && isAddress(o["holder"])
    case "Release":
      return isCount(o, "token")
    default:
      return false
  }
}
