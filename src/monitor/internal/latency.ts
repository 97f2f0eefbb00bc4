/**
 * A fixed-size latency histogram: 32 exponential buckets from 0.01 ms to ~20 s, so recording is
 * O(1) and memory per agent is constant however many messages it handles.
 */

const BUCKETS = 32
const FIRST = 0.01
const GROWTH = 1.6

/**
 * Upper bound of each bucket, in milliseconds.
 *
 * @since 0.1.0
 * @category utils
 */
export const boundaries: ReadonlyArray<number> = Array.from({ length: BUCKETS }, (_, i) => FIRST * GROWTH ** i)

/**
 * Bounded latency histogram of one agent.
 *
 * @since 0.1.0
 * @category models
 */
export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS + 1)
  count = 0
  max = 0

  record(millis: number): void {
    const value = millis > 0 ? millis : 0
    let index = value <= FIRST ? 0 : Math.ceil(Math.log(value / FIRST) / Math.log(GROWTH))
    if (index > BUCKETS) index = BUCKETS
    this.counts[index] = (this.counts[index] ?? 0) + 1
    this.count++
    if (value > this.max) this.max = value
  }

  /** The upper bound of the bucket holding quantile `q` (0 when empty; `max` for the overflow bucket). */
  quantile(q: number): number {
    if (this.count === 0) return 0
    const rank = Math.ceil(q * this.count)
    let seen = 0
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.counts[i] ?? 0
      if (seen >= rank) return i < BUCKETS ? Math.min(boundaries[i] ?? this.max, this.max) : this.max
    }
    return this.max
  }
}
