/**
 * The replay cache of ONE sender: nonces it had accepted within the time window. `Identities`
 * keeps one per known sender, so a sender flooding its own cache raises only its own floor and
 * cannot evict or block anyone else's.
 *
 * Bounded by `max`. Entries are evicted oldest-first once their timestamp leaves the window;
 * when the cache is full of live entries the oldest is evicted anyway and the `floor` rises to
 * its timestamp: from then on anything stamped at or before the floor is refused as stale, so an
 * evicted nonce can never be replayed.
 *
 * @internal
 */

/**
 * A bounded set of one sender's nonces with a rising floor.
 *
 * @since 0.1.0
 * @category models
 */
export class NonceCache {
  readonly seen = new Map<string, number>()
  floor = Number.NEGATIVE_INFINITY
  readonly max: number

  constructor(max: number) {
    this.max = max
  }

  /** Whether this nonce was accepted and is still remembered. */
  has(nonce: string): boolean {
    return this.seen.has(nonce)
  }

  /** Remembers a nonce stamped `timestamp`; drops entries older than `oldest`. */
  add(nonce: string, timestamp: number, oldest: number): void {
    for (const [key, stamp] of this.seen) {
      if (stamp >= oldest) break
      this.seen.delete(key)
    }
    this.seen.set(nonce, timestamp)
    while (this.seen.size > this.max) {
      const first = this.seen.entries().next()
      if (first.done === true) break
      this.seen.delete(first.value[0])
      this.floor = Math.max(this.floor, first.value[1])
    }
  }
}
