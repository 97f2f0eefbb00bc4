/**
 * The enforcement loop shared by every quota: try, and when refused apply the rule's policy —
 * fail (shed), wait on the Clock (throttle) or pause the agent — never waiting past a deadline.
 *
 * @internal
 */
import { Clock, Effect, Latch, Metric } from "effect"
import { quotaPauses, quotaRejections } from "../../telemetry/index.ts"
import { QuotaExceeded } from "../errors.ts"
import type { QuotaLimit, QuotaName } from "../schema.ts"
import type { UsageTable } from "../Usage.ts"

/**
 * One applicable limit: whose it is and what it allows.
 *
 * @since 0.1.0
 * @category models
 */
export interface Rule {
  readonly scope: "agent" | "group"
  readonly owner: string
  readonly quota: QuotaName
  readonly limit: QuotaLimit
}

/**
 * A refusal: which rule refused, and when a retry may pass.
 *
 * @since 0.1.0
 * @category models
 */
export interface Refusal {
  readonly rule: Rule
  readonly retryAfterMillis: number
}

/**
 * An attempt: admits (and consumes) or returns the refusal.
 *
 * @since 0.1.0
 * @category models
 */
export type Attempt = Effect.Effect<Refusal | undefined>

interface Pause {
  readonly until: number
  readonly rule: Rule
  readonly latch: Latch.Latch
}

/**
 * Options of the engine, from `QuotaConfig`.
 *
 * @since 0.1.0
 * @category models
 */
export interface EngineOptions {
  readonly maxWaitMillis: number
  readonly pauseMillis: number
  readonly maxPaused: number
}

/**
 * The pause table and the enforcement loop.
 *
 * @since 0.1.0
 * @category models
 */
export class Engine {
  /** Paused agents; an entry goes when its pause ends (lazily) or on `resume`. Bounded by `maxPaused`. */
  readonly paused = new Map<string, Pause>()
  readonly options: EngineOptions
  readonly usage: UsageTable

  constructor(options: EngineOptions, usage: UsageTable) {
    this.options = options
    this.usage = usage
  }

  /** The pause of `agent` still in force at `now`, if any. */
  pauseOf(agent: string, now: number): Pause | undefined {
    const pause = this.paused.get(agent)
    if (pause === undefined) return undefined
    if (pause.until > now) return pause
    this.paused.delete(agent)
    return undefined
  }

  /**
   * Pauses `agent` until `until` because of `rule`. Returns false when the table is full even
   * after dropping ended pauses: the caller then sheds instead (degrades, never grows).
   */
  pause(agent: string, until: number, rule: Rule, now: number): boolean {
    const existing = this.pauseOf(agent, now)
    if (existing !== undefined && existing.until >= until) return true
    if (existing === undefined && this.paused.size >= this.options.maxPaused) {
      for (const [key, pause] of this.paused) if (pause.until <= now) this.paused.delete(key)
      if (this.paused.size >= this.options.maxPaused) return false
    }
    existing?.latch.openUnsafe()
    this.paused.set(agent, { until, rule, latch: Latch.makeUnsafe(false) })
    return true
  }

  /** Ends the pause of `agent` now; callers waiting on it proceed. */
  resume(agent: string): boolean {
    const pause = this.paused.get(agent)
    if (pause === undefined) return false
    this.paused.delete(agent)
    pause.latch.openUnsafe()
    return true
  }

  refuse(
    agent: string,
    rule: Rule,
    retryAfterMillis: number,
    policy = rule.limit.policy
  ): Effect.Effect<never, QuotaExceeded> {
    this.usage.row(agent).rejections++
    return Effect.andThen(
      Metric.update(Metric.withAttributes(quotaRejections, { quota: rule.quota, policy }), 1),
      Effect.fail(
        new QuotaExceeded({
          agent,
          quota: rule.quota,
          scope: rule.scope,
          owner: rule.owner,
          limit: rule.limit.limit,
          policy,
          retryAfterMillis: Math.max(0, Math.ceil(retryAfterMillis))
        })
      )
    )
  }

  /** Runs `attempt` for `agent` until it admits, applying the refusing rule's policy each time. */
  enforce(agent: string, attempt: Attempt): Effect.Effect<void, QuotaExceeded> {
    // Fast path: not paused and admitted at once — no clock reads, no loop.
    if (!this.paused.has(agent)) {
      return Effect.flatMap(attempt, (refusal) =>
        refusal === undefined ? Effect.void : this.loop(agent, attempt, refusal)
      )
    }
    return this.loop(agent, attempt, undefined)
  }

  private loop(agent: string, attempt: Attempt, first: Refusal | undefined): Effect.Effect<void, QuotaExceeded> {
    const self = this
    return Clock.clockWith((clock) => {
      const start = clock.currentTimeMillisUnsafe()
      const deadline = start + self.options.maxWaitMillis
      const waited = (now: number) => {
        if (now > start) self.usage.row(agent).waitedMillis += now - start
      }
      const loop: Effect.Effect<void, QuotaExceeded> = Effect.suspend(() => {
        const now = clock.currentTimeMillisUnsafe()
        const pause = self.pauseOf(agent, now)
        if (pause !== undefined) {
          if (pause.until > deadline) return self.refuse(agent, pause.rule, pause.until - now, "pause")
          return Effect.andThen(Effect.raceFirst(Effect.sleep(pause.until - now), pause.latch.await), loop)
        }
        const pending = first
        first = undefined
        return Effect.flatMap(pending === undefined ? attempt : Effect.succeed(pending), (refusal) => {
          if (refusal === undefined) {
            waited(now)
            return Effect.void
          }
          const { rule, retryAfterMillis } = refusal
          switch (rule.limit.policy) {
            case "shed":
              return self.refuse(agent, rule, retryAfterMillis)
            case "throttle":
              if (now + retryAfterMillis > deadline) return self.refuse(agent, rule, retryAfterMillis)
              return Effect.andThen(Effect.sleep(Math.max(1, retryAfterMillis)), loop)
            case "pause": {
              const until = now + Math.max(self.options.pauseMillis, retryAfterMillis)
              if (!self.pause(agent, until, rule, now)) return self.refuse(agent, rule, retryAfterMillis)
              return Effect.andThen(Metric.update(Metric.withAttributes(quotaPauses, { quota: rule.quota }), 1), loop)
            }
          }
        })
      })
      return loop
    })
  }
}
