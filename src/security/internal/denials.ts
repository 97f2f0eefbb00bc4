/**
 * Flood control for denial records: each agent may add at most `perWindow` denial records per
 * `windowMillis` of Clock time, and all agents together at most `totalPerWindow`; the rest are
 * counted and summed up in one `security.suppressed` record when that agent's next window opens
 * (those refused by the total, in one record for agent `*all*` when the next total window opens). So a
 * flood of refused calls, from one agent or from many distinct ones, grows the audit log by a
 * bounded amount per window and cannot push the other security records out of a store with
 * retention sized for that rate.
 *
 * Bounded: `MAX_TRACKED` agents are tracked; beyond that, new agents share one bucket (`*`).
 *
 * @internal
 */

/**
 * Record types that are denials (and so rate-limited).
 *
 * @since 0.1.0
 * @category constants
 */
export const DENIAL_TYPES: ReadonlySet<string> = new Set([
  "security.unauthorized",
  "security.would-deny",
  "security.rejected",
  "security.token.rejected",
  "security.transport.rejected"
])

/**
 * Most agents tracked at once.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_TRACKED = 1_024

interface Bucket {
  windowStart: number
  used: number
  suppressed: number
}

/**
 * What one summary record says: `suppressed` denials of `agent` (`*all*`: refused by the total budget) were not recorded.
 *
 * @since 0.1.0
 * @category models
 */
export interface Summary {
  readonly agent: string
  readonly suppressed: number
}

/**
 * What to do with one denial: record it (maybe after one or two summaries of what was
 * suppressed), or drop it.
 *
 * @since 0.1.0
 * @category models
 */
export type Admission =
  | { readonly _tag: "Record"; readonly summary: Summary | undefined; readonly also?: Summary | undefined }
  | { readonly _tag: "Suppress" }

/**
 * The agent name of the total budget's summaries.
 *
 * @since 0.1.0
 * @category constants
 */
export const TOTAL = "*all*"

/**
 * Per-agent denial budget.
 *
 * @since 0.1.0
 * @category models
 */
export class DenialLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly total: Bucket = { windowStart: 0, used: 0, suppressed: 0 }
  private readonly perWindow: number
  private readonly totalPerWindow: number
  private readonly windowMillis: number

  constructor(perWindow: number, windowMillis: number, totalPerWindow: number = perWindow * 4) {
    this.perWindow = perWindow
    this.totalPerWindow = totalPerWindow
    this.windowMillis = windowMillis
  }

  /** The summary of what the total budget suppressed in its last window, once that window is over. */
  private rollTotal(now: number): { readonly agent: string; readonly suppressed: number } | undefined {
    if (now - this.total.windowStart < this.windowMillis) return undefined
    const suppressed = this.total.suppressed
    this.total.windowStart = now
    this.total.used = 0
    this.total.suppressed = 0
    return suppressed > 0 ? { agent: TOTAL, suppressed } : undefined
  }

  admit(agent: string, now: number): Admission {
    const totalSummary = this.rollTotal(now)
    if (this.total.used >= this.totalPerWindow) {
      this.total.suppressed++
      return { _tag: "Suppress" }
    }
    const admission = this.admitAgent(agent, now)
    if (admission._tag === "Record") {
      this.total.used++
      if (totalSummary !== undefined) return { _tag: "Record", summary: totalSummary, also: admission.summary }
    } else if (totalSummary !== undefined) {
      // Nothing is lost: the total's summary waits for the next admitted record.
      this.total.suppressed += totalSummary.suppressed
    }
    return admission
  }

  private admitAgent(agent: string, now: number): Admission {
    const key = this.buckets.has(agent) || this.buckets.size < MAX_TRACKED ? agent : "*"
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      bucket = { windowStart: now, used: 0, suppressed: 0 }
      this.buckets.set(key, bucket)
    }
    let summary: { readonly agent: string; readonly suppressed: number } | undefined
    if (now - bucket.windowStart >= this.windowMillis) {
      if (bucket.suppressed > 0) summary = { agent: key, suppressed: bucket.suppressed }
      bucket.windowStart = now
      bucket.used = 0
      bucket.suppressed = 0
    }
    if (bucket.used >= this.perWindow) {
      bucket.suppressed++
      return { _tag: "Suppress" }
    }
    bucket.used++
    return { _tag: "Record", summary }
  }
}
