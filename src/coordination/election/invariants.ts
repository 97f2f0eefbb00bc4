/**
 * Leader election's safety properties as a checker the simulator runs after every step:
 * at most one leader per term; at most one member holding an unexpired lease at any moment;
 * no member acting as leader after its lease ended.
 *
 * @since 0.1.0
 */
import type { ElectionState } from "./types.ts"

/**
 * The global view an election checker keeps between steps.
 *
 * @since 0.1.0
 * @category models
 */
export interface ElectionChecker {
  /** Checks the member that just stepped at `now` against history and the other live members. */
  readonly check: (
    now: number,
    node: string,
    state: ElectionState,
    states: ReadonlyMap<string, ElectionState>
  ) => string | undefined
  /** The leader of each term seen so far. */
  readonly leaders: ReadonlyMap<number, string>
}

/**
 * A fresh checker for one run.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeElectionChecker = (): ElectionChecker => {
  const leaders = new Map<number, string>()
  const check = (
    now: number,
    node: string,
    s: ElectionState,
    states: ReadonlyMap<string, ElectionState>
  ): string | undefined => {
    if (s.role !== "leader") return undefined
    const other = leaders.get(s.term)
    if (other !== undefined && other !== node)
      return `one leader per term: ${other} and ${node} both lead term ${s.term}`
    leaders.set(s.term, node)
    if (s.leaseUntil <= now)
      return `lease: ${node} still leads term ${s.term} at ${now}, its lease ended at ${s.leaseUntil}`
    for (const [peer, t] of states) {
      if (peer !== node && t.role === "leader" && t.leaseUntil > now) {
        return `lease exclusivity: ${peer} (term ${t.term}, lease to ${t.leaseUntil}) and ${node} (term ${s.term}, lease to ${s.leaseUntil}) both hold a lease at ${now}`
      }
    }
    return undefined
  }
  return { check, leaders }
}
