/**
 * Raft's log as a persistent, append-only sequence with structural sharing.
 *
 * A `RaftLog` is an immutable view (`length` entries) of a backing array that only ever grows.
 * Appending to the view at the backing's tip pushes in place (amortised O(1)) and returns a longer
 * view; every older view still sees exactly its own entries, because entries below a view's length
 * are never overwritten. Appending to a view that is no longer the tip (a truncated log, or an old
 * state stepped twice) copies its entries to a fresh backing first (O(n), rare: a conflict).
 * So the step function stays pure while a leader's append costs O(1) instead of copying the log.
 *
 * Each backing also indexes entry ids (first occurrence), so finding a proposal already in the
 * log (`indexOf`) is O(1) amortised.
 *
 * @since 0.1.0
 */
import type { Entry } from "./types.ts"

interface Backing<C> {
  readonly entries: Array<Entry<C>>
  /** id -> 1-based index of its first occurrence in `entries` (entries are never overwritten). */
  readonly first: Map<string, number>
  /** How many entries `first` covers: it is built lazily, on the first `indexOf` (followers never pay). */
  indexed: number
}

const makeBacking = <C>(entries: Array<Entry<C>>): Backing<C> => ({ entries, first: new Map(), indexed: 0 })

/**
 * An immutable Raft log (1-based indices: entry `i` is `entry(i)`), cheap to append to.
 *
 * @since 0.1.0
 * @category models
 */
export class RaftLog<C> implements Iterable<Entry<C>> {
  /** The number of entries, which is also the index of the last one (0 when empty). */
  readonly length: number
  private readonly backing: Backing<C>

  private constructor(backing: Backing<C>, length: number) {
    this.backing = backing
    this.length = length
  }

  /** An empty log. */
  static empty<C>(): RaftLog<C> {
    return new RaftLog<C>(makeBacking<C>([]), 0)
  }

  /** A log holding `entries`, in order (copied). */
  static from<C>(entries: Iterable<Entry<C>>): RaftLog<C> {
    const backing = makeBacking([...entries])
    return new RaftLog(backing, backing.entries.length)
  }

  /** Entry `index` (1-based), or `undefined` outside `[1, length]`. */
  entry(index: number): Entry<C> | undefined {
    return index >= 1 && index <= this.length ? this.backing.entries[index - 1] : undefined
  }

  /** The term of entry `index` (0 for index 0 or beyond the log). */
  termAt(index: number): number {
    return this.entry(index)?.term ?? 0
  }

  /** The index of the first entry with `id` (0 when absent). O(1). */
  indexOf(id: string): number {
    const { entries, first } = this.backing
    for (let i = this.backing.indexed; i < entries.length; i++) {
      const entryId = entries[i]!.id
      if (!first.has(entryId)) first.set(entryId, i + 1)
    }
    this.backing.indexed = entries.length
    const index = first.get(id)
    return index !== undefined && index <= this.length ? index : 0
  }

  /** This log followed by `entries.slice(from)`. O(added) at the tip, O(length + added) otherwise. */
  append(entries: ReadonlyArray<Entry<C>>, from = 0): RaftLog<C> {
    if (from >= entries.length) return this
    const backing =
      this.length === this.backing.entries.length
        ? this.backing
        : makeBacking(this.backing.entries.slice(0, this.length))
    for (let k = from; k < entries.length; k++) backing.entries.push(entries[k]!)
    return new RaftLog(backing, backing.entries.length)
  }

  /** The first `length` entries (a view: O(1)). */
  truncate(length: number): RaftLog<C> {
    return length >= this.length ? this : new RaftLog(this.backing, Math.max(0, length))
  }

  /** Entries as an array, with `Array.prototype.slice` semantics on 0-based positions. */
  slice(start = 0, end = this.length): Array<Entry<C>> {
    const s = start < 0 ? Math.max(0, this.length + start) : Math.min(start, this.length)
    const e = end < 0 ? Math.max(0, this.length + end) : Math.min(end, this.length)
    return this.backing.entries.slice(s, Math.max(s, e))
  }

  /** Maps every entry (like `Array.prototype.map`; `position` is 0-based). */
  map<B>(f: (entry: Entry<C>, position: number) => B): Array<B> {
    const out: Array<B> = []
    for (let i = 0; i < this.length; i++) out.push(f(this.backing.entries[i]!, i))
    return out
  }

  /** A copy of the entries. */
  toArray(): Array<Entry<C>> {
    return this.slice()
  }

  /** Iterates the entries in log order. */
  *[Symbol.iterator](): Iterator<Entry<C>> {
    for (let i = 0; i < this.length; i++) yield this.backing.entries[i]!
  }
}
