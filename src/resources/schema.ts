/**
 * Schemas of what crosses the resources boundary: quota limits, policies, configuration, alerts.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * An agent or group id: 1 to 200 characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Id = Schema.String.check(Schema.isBetweenLength(1, 200))

const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const PositiveFinite = Schema.Finite.check(Schema.isGreaterThan(0))

/**
 * How a quota is enforced when exceeded:
 * - `throttle`: the caller waits on the `Clock` until the quota admits it (never longer than
 *   `maxWaitMillis`; beyond that it is shed).
 * - `shed`: the caller fails at once with `QuotaExceeded` carrying retry-after.
 * - `pause`: the agent is paused for `pauseMillis`; every guarded operation of that agent waits
 *   until the pause ends or `resume` is called (again at most `maxWaitMillis`, then shed).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EnforcementPolicy = Schema.Literals(["throttle", "shed", "pause"])
/**
 * An enforcement policy.
 *
 * @since 0.1.0
 * @category models
 */
export type EnforcementPolicy = typeof EnforcementPolicy.Type

/**
 * One limit and its policy. `burst` (rates only) is the bucket capacity; default `ceil(limit)`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const QuotaLimit = Schema.Struct({
  limit: PositiveFinite,
  policy: EnforcementPolicy,
  burst: Schema.optionalKey(PositiveInt)
})
/**
 * One limit and its policy.
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaLimit = typeof QuotaLimit.Type

/**
 * The limits of an agent or a group. For a group each limit is shared by all its members
 * (messages per second, concurrent asks and live children are summed over the group).
 * `mailboxDepth` and `cpuMillisPerRun` only apply per agent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Limits = Schema.Struct({
  /** Messages (tell + ask) the agent may send per second (token bucket). */
  messagesPerSecond: Schema.optionalKey(QuotaLimit),
  /** Asks the agent may have waiting for a reply at once. */
  concurrentAsks: Schema.optionalKey(QuotaLimit),
  /** Messages the agent's mailbox may hold before senders are refused (applies to the receiver). */
  mailboxDepth: Schema.optionalKey(QuotaLimit),
  /** Children spawned through `Quotas.spawn` the agent may have alive at once. */
  spawns: Schema.optionalKey(QuotaLimit),
  /** Clock time one metered handler run may take. */
  cpuMillisPerRun: Schema.optionalKey(QuotaLimit)
})
/**
 * The limits of an agent or a group.
 *
 * @since 0.1.0
 * @category models
 */
export type Limits = typeof Limits.Type

/**
 * The names of the quotas, as reported in `QuotaExceeded.quota`; `"paused"` is a pause an operator
 * set with `Quotas.pause`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const QuotaName = Schema.Literals([
  "messagesPerSecond",
  "concurrentAsks",
  "mailboxDepth",
  "spawns",
  "cpuMillisPerRun",
  "budget",
  "paused"
])
/**
 * A quota name.
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaName = typeof QuotaName.Type

/**
 * Quota configuration.
 * - `agents`: the default limits of every agent; `overrides` replaces them for named agents.
 * - `groups`: limits shared by the members of each group; `membership` maps agent → group
 *   (change it at runtime with `Quotas.assign`).
 * - `budgets`: agent → budget id of `Budgets`; `Quotas.spend` draws from it (always shed).
 * - `maxWaitMillis` (default 1000): the longest a throttled or paused call waits.
 * - `pauseMillis` (default 1000): how long a `pause` policy pauses an agent.
 * - `pollMillis` (default 10): retry interval for counting quotas, whose release time is unknown.
 *
 * @since 0.1.0
 * @category schemas
 */
export const QuotaConfig = Schema.Struct({
  agents: Schema.optionalKey(Limits),
  overrides: Schema.optionalKey(Schema.Record(Id, Limits)),
  groups: Schema.optionalKey(Schema.Record(Id, Limits)),
  membership: Schema.optionalKey(Schema.Record(Id, Id)),
  budgets: Schema.optionalKey(Schema.Record(Id, Id)),
  maxWaitMillis: Schema.optionalKey(NonNegativeInt),
  pauseMillis: Schema.optionalKey(PositiveInt),
  pollMillis: Schema.optionalKey(PositiveInt)
})
/**
 * Quota configuration.
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaConfig = typeof QuotaConfig.Type

/**
 * What `Usage` tracks per agent; the names alert rules refer to.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UsageMetric = Schema.Literals([
  "messagesPerSecond",
  "cpuMillisPerSecond",
  "rejectionsPerSecond",
  "inFlightAsks",
  "mailboxDepth"
])
/**
 * A usage metric name.
 *
 * @since 0.1.0
 * @category models
 */
export type UsageMetric = typeof UsageMetric.Type

/**
 * An alert rule: raised for an agent when `metric` reaches `raiseAt`, cleared only when it falls
 * to `clearAt` or below (`clearAt < raiseAt`: the gap is the hysteresis that stops flapping).
 * `agent` restricts the rule to one agent; without it the rule applies to every tracked agent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AlertRule = Schema.Struct({
  name: Id,
  metric: UsageMetric,
  raiseAt: Schema.Finite,
  clearAt: Schema.Finite,
  agent: Schema.optionalKey(Id)
}).check(
  Schema.makeFilter(
    (rule) => rule.clearAt < rule.raiseAt || `clearAt (${rule.clearAt}) must be below raiseAt (${rule.raiseAt})`
  )
)
/**
 * An alert rule.
 *
 * @since 0.1.0
 * @category models
 */
export type AlertRule = typeof AlertRule.Type
