/**
 * `Alerts`: threshold rules over per-agent usage rates, with hysteresis. Each evaluation turns
 * the `Usage` counters into rates since the previous evaluation, steps every (rule, agent) alert,
 * and reports each change as an event on the `EventStore` (`resource.alert.raised` /
 * `resource.alert.cleared`) inside a span `mabeam.resources.alert`.
 *
 * Bounded: one sample per tracked agent (at most `MAX_TRACKED_AGENTS`), one state per active
 * (rule, agent) pair; samples of agents no longer tracked are dropped at each evaluation.
 *
 * @since 0.1.0
 */
import { Clock, Context, Duration, Effect, Layer, Random, Schedule, Schema } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { EventStore } from "../events/index.ts"
import { boundary } from "../telemetry/index.ts"
import { step } from "./internal/hysteresis.ts"
import { AlertRule, type UsageMetric } from "./schema.ts"
import { type AgentUsage, MAX_TRACKED_AGENTS, Usage } from "./Usage.ts"

/**
 * A change of one alert, as appended to the event store.
 *
 * @since 0.1.0
 * @category models
 */
export interface AlertTransition {
  readonly rule: string
  readonly agent: string
  readonly metric: UsageMetric
  readonly state: "raised" | "cleared"
  readonly value: number
  readonly threshold: number
  readonly time: number
}

/**
 * Options of `Alerts.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AlertOptions {
  readonly rules: ReadonlyArray<AlertRule>
  /** Evaluate on this period in the layer's scope; without it, call `evaluate` yourself. */
  readonly every?: Duration.Input
}

/**
 * The most alert rules one service holds.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_RULES = 100

const decodeRules = decodeInput(Schema.Array(AlertRule).check(Schema.isMaxLength(MAX_RULES)), "Alerts.layerWith")

interface Sample {
  readonly time: number
  readonly messages: number
  readonly cpuMillis: number
  readonly rejections: number
}

/**
 * Threshold alerts over usage.
 *
 * @since 0.1.0
 * @category services
 */
export class Alerts extends Context.Service<
  Alerts,
  {
    /** Computes rates since the last evaluation, steps every alert, appends and returns the changes. */
    readonly evaluate: Effect.Effect<ReadonlyArray<AlertTransition>>
    /** Alerts raised and not yet cleared, as (rule, agent) pairs. */
    readonly active: Effect.Effect<ReadonlyArray<{ readonly rule: string; readonly agent: string }>>
  }
>()("mabeam/Alerts") {
  /**
   * Alerts with `rules`; fails with `InvalidInput` for a bad rule (e.g. `clearAt >= raiseAt`).
   *
   * @example
   * ```ts
   * Alerts.layerWith({ rules: [{ name: "chatty", metric: "messagesPerSecond", raiseAt: 100, clearAt: 50 }], every: "1 second" })
   * ```
   */
  static readonly layerWith = (options: AlertOptions): Layer.Layer<Alerts, InvalidInput, Usage | EventStore> =>
    Layer.effect(
      Alerts,
      Effect.gen(function* () {
        const rules = yield* decodeRules(options.rules)
        const alerts = yield* makeAlerts(rules)
        if (options.every !== undefined) {
          yield* Effect.forkScoped(Effect.repeat(alerts.evaluate, Schedule.spaced(options.every)))
        }
        return alerts
      })
    )
}

const rateOf = (metric: UsageMetric, row: AgentUsage, previous: Sample, seconds: number): number => {
  switch (metric) {
    case "messagesPerSecond":
      return (row.messages - previous.messages) / seconds
    case "cpuMillisPerSecond":
      return (row.cpuMillis - previous.cpuMillis) / seconds
    case "rejectionsPerSecond":
      return (row.rejections - previous.rejections) / seconds
    case "inFlightAsks":
      return row.inFlightAsks
    case "mailboxDepth":
      return row.mailboxDepth
  }
}

/**
 * Builds the service over decoded `rules`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeAlerts = (rules: ReadonlyArray<AlertRule>) =>
  Effect.gen(function* () {
    const usage = yield* Usage
    const store = yield* EventStore
    // Event ids must not collide with another instance's over the same store.
    const instance = (yield* Random.nextIntBetween(0, 2 ** 31)).toString(36)
    let sequence = 0
    let lastTime = yield* Clock.currentTimeMillis
    const samples = new Map<string, Sample>()
    const raised = new Map<string, AlertRule>()

    const report = (transition: AlertTransition) =>
      store
        .append({
          id: `alert-${instance}-${++sequence}`,
          type: `resource.alert.${transition.state}`,
          correlationId: transition.agent,
          payload: { ...transition }
        })
        .pipe(
          Effect.catch((error) => Effect.logWarning("alert not recorded", error.message)),
          boundary("resources", "alert", { rule: transition.rule, agent: transition.agent, state: transition.state })
        )

    const evaluate = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const seconds = Math.max(now - lastTime, 1) / 1000
      const rows = usage.table.snapshot()
      const transitions: Array<AlertTransition> = []
      const seen = new Set<string>()
      for (const row of rows) {
        seen.add(row.agent)
        const previous = samples.get(row.agent) ?? { time: lastTime, messages: 0, cpuMillis: 0, rejections: 0 }
        for (const rule of rules) {
          if (rule.agent !== undefined && rule.agent !== row.agent) continue
          const key = `${rule.name}\u0000${row.agent}`
          const value = rateOf(rule.metric, row, previous, seconds)
          const [isRaised, change] = step(raised.has(key), value, rule)
          if (isRaised) raised.set(key, rule)
          else raised.delete(key)
          if (change !== undefined) {
            transitions.push({
              rule: rule.name,
              agent: row.agent,
              metric: rule.metric,
              state: change,
              value,
              threshold: change === "raised" ? rule.raiseAt : rule.clearAt,
              time: now
            })
          }
        }
        samples.set(row.agent, {
          time: now,
          messages: row.messages,
          cpuMillis: row.cpuMillis,
          rejections: row.rejections
        })
      }
      for (const agent of samples.keys()) if (!seen.has(agent)) samples.delete(agent)
      for (const [key] of raised) if (!seen.has(key.slice(key.indexOf("\u0000") + 1))) raised.delete(key)
      lastTime = now
      yield* Effect.forEach(transitions, report, { discard: true })
      return transitions
    }).pipe(boundary("resources", "evaluate"))

    return Alerts.of({
      evaluate,
      active: Effect.sync(() =>
        Array.from(raised.keys(), (key) => {
          const cut = key.indexOf("\u0000")
          return { rule: key.slice(0, cut), agent: key.slice(cut + 1) }
        })
      )
    })
  })
