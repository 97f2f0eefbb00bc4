/**
 * The trace recorder of the simulator: a bounded ring of the most recent events plus a running
 * hash and count of every event ever recorded, so two runs can be compared exactly (same seed,
 * same hash) while memory stays bounded.
 *
 * @since 0.1.0
 */

/**
 * A bounded, hashed record of what happened in a simulated run.
 *
 * @since 0.1.0
 * @category models
 */
export class Trace {
  /** How many recent lines are kept; older ones are dropped (the hash still covers them). */
  readonly capacity: number
  private readonly ring: Array<string> = []
  private start = 0
  private hashValue = 0x811c9dc5
  private total = 0

  constructor(capacity = 2_000) {
    this.capacity = Math.max(1, Math.floor(capacity))
  }

  /** Appends one line (folds it into the hash; keeps it while it is among the newest `capacity`). */
  record(line: string): void {
    let h = this.hashValue
    for (let i = 0; i < line.length; i++) {
      h ^= line.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
    h ^= 10
    this.hashValue = Math.imul(h, 0x01000193) >>> 0
    this.total++
    if (this.ring.length < this.capacity) this.ring.push(line)
    else {
      this.ring[this.start] = line
      this.start = (this.start + 1) % this.capacity
    }
  }

  /** Every line recorded so far, counted (including those no longer kept). */
  get count(): number {
    return this.total
  }

  /** FNV-1a hash (hex) of every line recorded so far, in order. */
  get hash(): string {
    return this.hashValue.toString(16).padStart(8, "0")
  }

  /** The kept lines, oldest first. */
  lines(): ReadonlyArray<string> {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)]
  }
}
