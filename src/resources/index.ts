/**
 * Resources (`mabeam/resources`): per-agent and per-group quotas with throttle / shed / pause
 * enforcement, usage tracking with top-N hogs, and threshold alerts with hysteresis on the event
 * store.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Quotas } from "mabeam/resources"
 *
 * const program = Effect.gen(function*() {
 *   const quotas = yield* Quotas
 *   yield* quotas.check("agent-7")                   // QuotaExceeded with retryAfterMillis when over
 *   const guarded = yield* quotas.guard(ref, "agent-7")   // every send checked
 * })
 * ```
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
