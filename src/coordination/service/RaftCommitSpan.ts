/**
 * The `mabeam.raft.commit` span of a live Raft replica: a step that advances the replica's commit
 * index runs what it sends and applies inside this span (the pure step function is untouched; the
 * span is named from the states before and after the step).
 *
 * @since 0.1.0
 */
import type { StepSpan } from "../Protocol.ts"
import { termAt } from "../raft/Raft.ts"
import type { RaftState } from "../raft/types.ts"

/**
 * Names a `mabeam.raft.commit` span when the step advanced the commit index: attributes
 * `mabeam.raft.index` (the new commit index), `mabeam.raft.term` (its entry's term),
 * `mabeam.raft.entries` (how many entries the step committed) and `mabeam.raft.group` /
 * `mabeam.raft.member`.
 *
 * @since 0.1.0
 * @category utils
 */
export const raftCommitSpan =
  <S>(raftOf: (state: S) => RaftState<unknown>, group: string, member: string) =>
  (before: S, after: S): StepSpan | undefined => {
    const from = raftOf(before).commitIndex
    const raft = raftOf(after)
    if (raft.commitIndex <= from) return undefined
    return {
      name: "mabeam.raft.commit",
      attributes: {
        "mabeam.raft.group": group,
        "mabeam.raft.member": member,
        "mabeam.raft.index": raft.commitIndex,
        "mabeam.raft.term": termAt(raft, raft.commitIndex),
        "mabeam.raft.entries": raft.commitIndex - from
      }
    }
  }
