/**
 * Sequential specifications (`Model`s) for the linearizability checker: a counter, a key-value
 * register, and a lease lock with fencing tokens.
 *
 * @since 0.1.0
 */
import type { Model, Operation } from "./Linearizability.ts"

/**
 * A counter increment (by 1) answering the new value.
 *
 * @since 0.1.0
 * @category models
 */
export type CounterInput = { readonly _tag: "Increment" }

/**
 * A counter: each increment returns the previous value plus one.
 *
 * @since 0.1.0
 * @category utils
 */
export const counterModel: Model<number, CounterInput, number> = {
  init: 0,
  step: (value, op) => (op.output === undefined || op.output === value + 1 ? [value + 1] : []),
  key: String,
  // Dead end: an answer still to place that is not above the value reached.
  viable: (value, open) => open.every((op) => op.output === undefined || op.output > value),
  describe: (op) => `${op.client} inc -> ${op.output ?? "?"} [${op.call}, ${op.ret}]`
}

/**
 * A register operation on `key`: write `value`, or read.
 *
 * @since 0.1.0
 * @category models
 */
export type RegisterInput =
  | { readonly _tag: "Put"; readonly key: string; readonly value: string }
  | { readonly _tag: "Get"; readonly key: string }

/**
 * A register per key (checked per key): a read returns the last value written (`null`: none).
 *
 * @since 0.1.0
 * @category utils
 */
export const registerModel: Model<string | null, RegisterInput, string | null> = {
  init: null,
  step: (value, op) => {
    if (op.input._tag === "Put") return [op.input.value]
    return op.output === undefined || op.output === value ? [value] : []
  },
  key: (value) => (value === null ? "" : `=${value}`),
  partition: (op) => op.input.key,
  describe: (op) =>
    `${op.client} ${op.input._tag === "Put" ? `put ${op.input.key}=${op.input.value}` : `get ${op.input.key} -> ${op.output === undefined ? "?" : String(op.output)}`} [${op.call}, ${op.ret}]`
}

/**
 * A lease-lock operation: acquire with a lease of `ttl` ms, or release the lease of `token`.
 *
 * @since 0.1.0
 * @category models
 */
export type LockInput =
  | { readonly _tag: "Acquire"; readonly ttl: number }
  | { readonly _tag: "Release"; readonly token: number }

/**
 * What a lock operation answered.
 *
 * @since 0.1.0
 * @category models
 */
export type LockOutput =
  | { readonly _tag: "Granted"; readonly token: number; readonly expires: number }
  | { readonly _tag: "Busy" }
  | { readonly _tag: "Released" }

/**
 * The lock's sequential state: the last token, the holder's lease (if any), the time reached.
 *
 * @since 0.1.0
 * @category models
 */
export interface LockModelState {
  readonly token: number
  /** The current lease; for a lease granted to a timed-out acquire, `expires` is its earliest end. */
  readonly holder: { readonly token: number; readonly expires: number } | undefined
  /** A lower bound of the linearization time reached so far. */
  readonly clock: number
}

/**
 * A lease lock with fencing tokens, in time: a grant at time `at` (= `expires - ttl`, inside the
 * call's interval and not before the previous operation) needs the previous lease released or
 * expired by `at`, and hands out exactly the next token; a release of the current token frees the
 * lock. A `Busy` answer is a hint (a leader may answer it from a stale view), so it constrains
 * nothing but time, except that the acquire may still have consumed a token whose lease ended
 * before the answer (two grants applied in one batch: the superseded one is answered `Busy`).
 * A timed-out acquire may have been granted (at the earliest moment it could be).
 *
 * @since 0.1.0
 * @category utils
 */
export const leaseLockModel: Model<LockModelState, LockInput, LockOutput> = {
  init: { token: 0, holder: undefined, clock: Number.NEGATIVE_INFINITY },
  step: (s, op) => {
    const earliest = Math.max(s.clock, op.call)
    if (earliest > op.ret) return []
    const freeAt = Math.max(earliest, s.holder?.expires ?? earliest)
    if (op.input._tag === "Release") {
      const holder = s.holder?.token === op.input.token ? undefined : s.holder
      return op.output === undefined || op.output._tag === "Released" ? [{ ...s, holder, clock: earliest }] : []
    }
    const ttl = op.input.ttl
    const grantAt = (at: number): LockModelState => ({
      token: s.token + 1,
      holder: { token: s.token + 1, expires: at + ttl },
      clock: at
    })
    const out = op.output
    if (out === undefined) return [grantAt(freeAt)]
    if (out._tag === "Granted") {
      const at = out.expires - ttl
      const ok =
        out.token === s.token + 1 &&
        at >= earliest &&
        at <= op.ret &&
        (s.holder === undefined || s.holder.expires <= at)
      return ok ? [grantAt(at)] : []
    }
    if (out._tag === "Busy") {
      const consumed = freeAt + ttl <= op.ret ? [grantAt(freeAt)] : []
      return [{ ...s, clock: earliest }, ...consumed]
    }
    return []
  },
  key: (s) => `${s.token}|${s.holder === undefined ? "-" : `${s.holder.token}@${s.holder.expires}`}|${s.clock}`,
  // Dead ends: a grant still to place whose token is already used, or an answer that came before the time reached.
  viable: (s, open) =>
    open.every((op) => op.ret >= s.clock && (op.output?._tag !== "Granted" || op.output.token > s.token)),
  describe: (op: Operation<LockInput, LockOutput>) =>
    `${op.client} ${op.input._tag === "Acquire" ? `acquire(ttl ${op.input.ttl})` : `release(${op.input.token})`} -> ${
      op.output === undefined
        ? "?"
        : op.output._tag === "Granted"
          ? `granted ${op.output.token} until ${op.output.expires}`
          : op.output._tag
    } [${op.call}, ${op.ret}]`
}
