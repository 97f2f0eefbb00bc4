/**
 * A Map with a size bound: reading or writing an entry makes it the most recent; inserting past
 * the bound forgets the least recently used entry and reports it.
 *
 * @internal
 */
import { invariant } from "../../errors/Invariant.ts"

/**
 * A size-bounded, least-recently-used map.
 *
 * @since 0.1.0
 * @category models
 */
export class Lru<K, V> {
  readonly entries = new Map<K, V>()
  readonly max: number

  constructor(max: number) {
    this.max = max
  }

  get size(): number {
    return this.entries.size
  }

  /** The entry for `key`, made the most recent. */
  get(key: K): V | undefined {
    const value = this.entries.get(key)
    if (value !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, value)
    }
    return value
  }

  /** The entry for `key`, without touching its recency. */
  peek(key: K): V | undefined {
    return this.entries.get(key)
  }

  /** Stores `value`; returns the entry forgotten to make room, if any. */
  set(key: K, value: V): [K, V] | undefined {
    this.entries.delete(key)
    this.entries.set(key, value)
    if (this.entries.size <= this.max) return undefined
    const oldest = this.entries.entries().next()
    if (oldest.done === true) return undefined
    this.entries.delete(oldest.value[0])
    invariant(this.entries.size <= this.max, `LRU holds ${this.entries.size} entries, bound ${this.max}`)
    return oldest.value
  }

  /** The entry for `key`, created with `make` when absent. */
  getOrCreate(key: K, make: () => V): V {
    const existing = this.get(key)
    if (existing !== undefined) return existing
    const value = make()
    this.set(key, value)
    return value
  }

  delete(key: K): boolean {
    return this.entries.delete(key)
  }

  values(): IterableIterator<V> {
    return this.entries.values()
  }
}
