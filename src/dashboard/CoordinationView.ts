/**
 * The coordination part of a dashboard snapshot: a bounded copy of `Coordination.state` (leaders
 * with their terms, held leases with their fencing tokens, participants up or down) and its text
 * form for `mabeam inspect`.
 *
 * @since 0.1.0
 */
import type { CoordinationState } from "../coordination/index.ts"

/**
 * The coordination state as a snapshot carries it (already JSON-ready; lists are capped).
 *
 * @since 0.1.0
 * @category models
 */
export type CoordinationSnapshot = CoordinationState

/**
 * Most leases, groups of each kind and participants in a snapshot.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_COORDINATION_ITEMS = 50

/**
 * Caps every list of `state` at `MAX_COORDINATION_ITEMS`.
 *
 * @since 0.1.0
 * @category utils
 */
export const coordinationSnapshot = (state: CoordinationState): CoordinationSnapshot => ({
  ...state,
  locks: state.locks.slice(0, MAX_COORDINATION_ITEMS),
  elections: state.elections.slice(0, MAX_COORDINATION_ITEMS),
  consensus: state.consensus.slice(0, MAX_COORDINATION_ITEMS),
  participants: state.participants.slice(0, MAX_COORDINATION_ITEMS)
})

const who = (leader: string | undefined, holder: string | undefined) =>
  leader === undefined ? "no leader" : holder === undefined ? `leader ${leader}` : `leader ${leader} (${holder})`

/**
 * The coordination state as indented lines, e.g.
 * `election workers: leader seat-1 (worker-2), term 4, lease ends in 250 ms` and
 * `lock journal: token 17, held by worker-2, until in 180 ms`.
 *
 * @since 0.1.0
 * @category utils
 */
export const formatCoordination = (c: CoordinationSnapshot): ReadonlyArray<string> => {
  const lines = [
    `coordination (lock served by ${c.lockMode === "raft" ? "Raft replicas" : "one owner"}, last fencing token ${c.lastToken}):`
  ]
  if (c.lockGroup !== undefined) {
    lines.push(
      `  lock group: ${who(c.lockGroup.leader, undefined)}, term ${c.lockGroup.term}, commit index ${c.lockGroup.commitIndex}`
    )
  }
  for (const e of c.elections) {
    const lease = e.leader === undefined ? "" : `, lease ends in ${Math.max(0, e.leaseUntil - c.at)} ms`
    lines.push(`  election ${e.group}: ${who(e.leader, e.leaderHolder)}, term ${e.term}${lease}`)
    const seats = e.seats.map((s) => `${s.member} ${s.taken ? `${s.holder ?? "taken"} ${s.role}` : "free"}`)
    lines.push(`    seats: ${seats.join(", ")}`)
  }
  for (const g of c.consensus) {
    const decided = g.decided === undefined ? "undecided" : `decided ${JSON.stringify(g.decided)}`
    lines.push(
      `  propose ${g.group}: ${who(g.leader, undefined)}, term ${g.term}, commit index ${g.commitIndex}, ${decided}`
    )
  }
  if (c.locks.length === 0) lines.push("  locks: none held")
  for (const l of c.locks) {
    const until = l.expired ? "lease expired" : `until in ${l.until - c.at} ms`
    lines.push(`  lock ${l.name}: token ${l.token}, held by ${l.holder}, ${until}`)
  }
  lines.push(`  participants: ${c.participants.map((p) => `${p.name} ${p.up ? "up" : "DOWN"}`).join(", ") || "none"}`)
  return lines
}
