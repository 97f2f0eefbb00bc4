/**
 * Flood control for denial records: each agent may add at most `perWindow` denial records per
 * `windowMillis` of Clock time; the rest are counted and summed up in one `security.suppressed`
 * record when that agent's next window opens. So a flood of refused calls grows the audit log by a
 * bounded amount and cannot push the other security records out of a store with retention.
 *
 * Bounded: `MAX_TRACKED` agents are tracked; beyond that, new agents share one bucket (`*`).
 *
 * @internal
 */

/** Record types that are denials (and so rate-limited). */
export const DENIAL_TYPES: ReadonlySet<string> = new Set([
  "security.unauthorized",
  "security.would-deny",
  "security.rejected",
  "security.token.rejected",
  "security.transport.rejected"
])

/** Most agents tracked at once. */
export const MAX_TRACKED = 1_024

interface Bucket {
  windowStart: number
  used: number
  suppressed: number
}

/** What to do with one denial: record it (maybe after a summary of what was suppressed), or drop it. */
export type Admission =
  | { readonly _tag: "Record"; readonly summary: { readonly agent: string; readonly suppressed: number } | undefined }
  | { readonly _tag: "Suppress" }

/** Per-agent denial budget. */
export class DenialLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly perWindow: number
  private readonly windowMillis: number

  constructor(perWindow: number, windowMillis: number) {
    this.perWindow = perWindow
    this.windowMillis = windowMillis
  }

  admit(agent: string, now: number): Admission {
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
