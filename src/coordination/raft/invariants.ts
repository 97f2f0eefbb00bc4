/**
 * Raft's safety properties (Raft paper, figure 3) as a checker the simulator runs after every
 * step: election safety, log matching, leader completeness, state-machine safety. Stateful: it
 * remembers every leader per term and every committed entry (and the term of the
 * leader that committed it: leader completeness binds the leaders of later terms), across crashes.
 *
 * @since 0.1.0
 */
import type { Entry, RaftState } from "./types.ts"

const key = <C>(entry: Entry<C> | undefined) => (entry === undefined ? "none" : `${entry.term}:${entry.id}`)

/**
 * The global view a Raft checker keeps between steps.
 *
 * @since 0.1.0
 * @category models
 */
export interface RaftChecker<C> {
  /** Checks the node that just stepped against history and the other live nodes. */
  readonly check: (node: string, state: RaftState<C>, states: ReadonlyMap<string, RaftState<C>>) => string | undefined
  /** Entries known committed so far, by index (1-based; slot 0 unused). */
  readonly committed: ReadonlyArray<string>
}

/**
 * A fresh checker for one run.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRaftChecker = <C>(): RaftChecker<C> => {
  const leaders = new Map<number, string>()
  const committed: Array<string> = [""]
  const committedInTerm: Array<number> = [0]

  const check = (node: string, s: RaftState<C>, states: ReadonlyMap<string, RaftState<C>>): string | undefined => {
    if (s.role === "leader") {
      const other = leaders.get(s.term)
      if (other !== undefined && other !== node) return `election safety: ${other} and ${node} both lead term ${s.term}`
      leaders.set(s.term, node)
    }
    if (s.commitIndex > s.log.length)
      return `commit index ${s.commitIndex} beyond log length ${s.log.length} on ${node}`
    for (let i = 1; i <= s.commitIndex; i++) {
      const entry = key(s.log.entry(i))
      const known = committed[i]
      if (known === undefined) {
        committed[i] = entry
        committedInTerm[i] = s.term
      } else if (known !== entry) {
        return `state-machine safety: ${node} committed ${entry} at index ${i}, but ${known} was committed there`
      }
    }
    if (s.role === "leader") {
      for (let i = 1; i < committed.length; i++) {
        if ((committedInTerm[i] ?? 0) < s.term && key(s.log.entry(i)) !== committed[i]) {
          return `leader completeness: leader ${node} of term ${s.term} lacks committed entry ${committed[i]} at index ${i}`
        }
      }
    }
    for (const [other, t] of states) {
      if (other === node) continue
      const n = Math.min(s.log.length, t.log.length)
      let last = 0
      for (let i = n; i >= 1; i--) {
        if (s.log.entry(i)?.term === t.log.entry(i)?.term) {
          last = i
          break
        }
      }
      for (let i = 1; i <= last; i++) {
        if (key(s.log.entry(i)) !== key(t.log.entry(i))) {
          return `log matching: ${node} and ${other} agree on term at index ${last} but differ at ${i} (${key(s.log.entry(i))} vs ${key(t.log.entry(i))})`
        }
      }
    }
    return undefined
  }
  return { check, committed }
}
