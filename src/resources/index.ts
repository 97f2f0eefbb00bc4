/**
 * Resources: per-agent and per-group quotas with throttle / shed / pause enforcement, usage
 * tracking with top-N hogs, and threshold alerts with hysteresis on the event store.
 *
 * @since 0.1.0
 */
export { type AlertOptions, Alerts, type AlertTransition, makeAlerts, MAX_RULES } from "./Alerts.ts"
export { QuotaExceeded } from "./errors.ts"
export type { GuardedRef } from "./guard.ts"
export { metered } from "./metered.ts"
export { MAX_MEMBERSHIPS, type Permit, Quotas, type QuotaStatus } from "./Quotas.ts"
export {
  AlertRule,
  EnforcementPolicy,
  Id,
  Limits,
  QuotaConfig,
  QuotaLimit,
  QuotaName,
  UsageMetric
} from "./schema.ts"
export { type SpendError, SpendRequest } from "./spend.ts"
export { type AgentUsage, MAX_TRACKED_AGENTS, Usage, UsageField } from "./Usage.ts"
