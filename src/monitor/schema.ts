/**
 * Schemas and types of what crosses the monitor's boundary: options, samples, alerts.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const Positive = Schema.Finite.check(Schema.isGreaterThan(0))

/**
 * Alert thresholds. An alert is raised when a sample reaches the threshold (`>=`) and cleared
 * when a later sample falls below it; each crossing is one event, not one per sample.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Thresholds = Schema.Struct({
  /** Messages waiting in one mailbox. */
  mailboxDepth: Schema.optionalKey(Positive),
  /** Restarts of one agent since the monitor first saw it. */
  restarts: Schema.optionalKey(Positive),
  /** Estimated bytes held by one agent. */
  memoryBytes: Schema.optionalKey(Positive),
  /** 99th-percentile handler latency of one instrumented agent, in milliseconds. */
  latencyP99Millis: Schema.optionalKey(Positive)
})
/**
 * Alert thresholds.
 *
 * @since 0.1.0
 * @category models
 */
export type Thresholds = typeof Thresholds.Type

/**
 * The metrics an alert can be about (the keys of `Thresholds`).
 *
 * @since 0.1.0
 * @category models
 */
export type AlertMetric = keyof Thresholds

/**
 * Options of the monitor.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MonitorOptions = Schema.Struct({
  /** How often every agent is sampled, in milliseconds (default 1000). */
  intervalMillis: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 86_400_000 }))),
  /** Most agents tracked at once (default 100 000); the rest are counted as `untracked`. */
  maxAgents: Schema.optionalKey(Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 10_000_000 }))),
  /** Alert thresholds (default: none). */
  thresholds: Schema.optionalKey(Thresholds),
  /** Prefix of alert event ids, to keep two monitors sharing one event store apart (default "monitor"). */
  name: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 64)))
})
/**
 * Options of the monitor.
 *
 * @since 0.1.0
 * @category models
 */
export type MonitorOptions = typeof MonitorOptions.Type

/**
 * Handler latency of an instrumented agent, from a bounded histogram (milliseconds).
 *
 * @since 0.1.0
 * @category models
 */
export interface LatencySummary {
  readonly count: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}

/**
 * One agent at the last sample. `handled` and `messagesPerSecond` are exact for every agent (from
 * `AgentRef.handledCount`); `latency` is there for agents spawned from `monitor.instrument`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AgentSample {
  readonly id: string
  readonly kind: string
  readonly mailboxDepth: number
  /** Messages handled since the monitor first saw the agent. */
  readonly handled: number
  /** Messages handled per second between the last two samples. */
  readonly messagesPerSecond: number
  readonly restarts: number
  /** Bytes: a fixed cost per agent plus a cost per queued message (see `AGENT_BASE_BYTES`). */
  readonly memoryBytes: number
  readonly latency: LatencySummary | undefined
  /** Clock millis of the sample. */
  readonly sampledAt: number
}

/**
 * An active alert: `value` reached `threshold` for `metric` on `agent`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Alert {
  readonly agent: string
  readonly metric: AlertMetric
  readonly value: number
  readonly threshold: number
  readonly since: number
}

/**
 * Everything the monitor knows at its last sample.
 *
 * @since 0.1.0
 * @category models
 */
export interface MonitorSnapshot {
  /** Clock millis of the sample (0 before the first). */
  readonly sampledAt: number
  /** Samples taken since the monitor started. */
  readonly samples: number
  readonly agents: ReadonlyArray<AgentSample>
  readonly alerts: ReadonlyArray<Alert>
  /** Running agents not in this sample (beyond `maxAgents`, or started after it). */
  readonly untracked: number
  readonly totals: {
    readonly agents: number
    readonly mailboxDepth: number
    readonly maxMailboxDepth: number
    readonly messagesPerSecond: number
    readonly memoryBytes: number
  }
}
