/**
 * Counting quotas (concurrent asks, live children): units in use per agent and per group, taken
 * together and given back together through a permit.
 *
 * Bounded: a key is deleted when its count returns to zero, so the table holds only keys with
 * units outstanding.
 *
 * @internal
 */
import { invariant } from "../../errors/Invariant.ts"
import { Effect } from "effect"
import type { Refusal, Rule } from "./engine.ts"

/**
 * One unit of a counting quota; give it back with `release` (idempotent).
 *
 * @since 0.1.0
 * @category models
 */
export interface Permit {
  /** Gives the unit back; a second call does nothing. */
  readonly release: Effect.Effect<void>
  /** `release` as a plain call. */
  readonly releaseUnsafe: () => void
}

/**
 * The verdict of one `take`.
 *
 * @since 0.1.0
 * @category models
 */
export type TakeResult =
  | { readonly _tag: "Admitted"; readonly permit: Permit }
  | { readonly _tag: "Refused"; readonly refusal: Refusal }

/**
 * The counters.
 *
 * @since 0.1.0
 * @category models
 */
export interface Counters {
  /** Takes one unit under both rules (either may be absent), or says which refused. */
  readonly take: (agent: string, quota: string, own: Rule | undefined, shared: Rule | undefined) => TakeResult
  /** Units in use under `key` (`agent:<id>` or `group:<id>`). */
  readonly used: (key: string, quota: string) => number
}

/**
 * Builds empty counters; a refusal suggests retrying after `pollMillis`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCounters = (pollMillis: number): Counters => {
  const tables = new Map<string, Map<string, number>>()
  const tableOf = (quota: string) => {
    let table = tables.get(quota)
    if (table === undefined) tables.set(quota, (table = new Map()))
    return table
  }
  return {
    take: (agent, quota, own, shared) => {
      const table = tableOf(quota)
      const keys: Array<string> = []
      const limits: Array<number> = []
      for (const rule of [own, shared]) {
        if (rule === undefined) continue
        const key = rule.scope === "group" ? `group:${rule.owner}` : `agent:${agent}`
        if ((table.get(key) ?? 0) >= rule.limit.limit) {
          return { _tag: "Refused", refusal: { rule, retryAfterMillis: pollMillis } }
        }
        keys.push(key)
        limits.push(rule.limit.limit)
      }
      keys.forEach((key, index) => {
        const count = (table.get(key) ?? 0) + 1
        invariant(count <= limits[index]!, `quota "${quota}" admitted past its limit under ${key}`)
        table.set(key, count)
      })
      let released = false
      const releaseUnsafe = () => {
        if (released) return
        released = true
        for (const key of keys) {
          const left = (table.get(key) ?? 1) - 1
          invariant(left >= 0, `quota "${quota}" released more units than it admitted under ${key}`)
          if (left <= 0) table.delete(key)
          else table.set(key, left)
        }
      }
      return { _tag: "Admitted", permit: { release: Effect.sync(releaseUnsafe), releaseUnsafe } }
    },
    used: (key, quota) => tables.get(quota)?.get(key) ?? 0
  }
}
