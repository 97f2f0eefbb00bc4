/**
 * The performance monitor: samples every agent of the `AgentSystem` by itself, at an interval on
 * `Clock` — mailbox depth, messages per second, restarts, a memory estimate and (for instrumented
 * agents) handler latency — keeps the last sample as a snapshot, updates metrics and appends
 * threshold alerts to the `EventStore` when one is provided.
 *
 * Agents are discovered from the system's lifecycle events (and, at start, from the root
 * supervisor's children and the registry), so no caller has to register or push anything.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Metric, Option, Stream } from "effect"
import { type AgentDefinition, type AgentEvent, type AgentRef, AgentSystem } from "../agent/index.ts"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import { EventStore } from "../events/index.ts"
import { Registry } from "../registry/index.ts"
import { LatencyHistogram } from "./internal/latency.ts"
import * as M from "./metrics.ts"
import {
  type AgentSample,
  type Alert,
  type AlertMetric,
  type MonitorSnapshot,
  MonitorOptions,
  type Thresholds
} from "./schema.ts"

/**
 * Bytes counted for every agent: a fiber suspended on a plain-array mailbox (measured in
 * shared/perf-notes.md). The runtime exposes no per-agent heap figure, so memory is an estimate.
 *
 * @since 0.1.0
 * @category constants
 */
export const AGENT_BASE_BYTES = 1_232
/**
 * Bytes counted per queued message (an array slot and a small tagged message).
 *
 * @since 0.1.0
 * @category constants
 */
export const QUEUED_MESSAGE_BYTES = 64

/**
 * The monitor's operations.
 *
 * @since 0.1.0
 * @category models
 */
export interface MonitorShape {
  /** The last sample (empty before the first interval elapses). */
  readonly snapshot: Effect.Effect<MonitorSnapshot>
  /** Samples every tracked agent now (also updates metrics and alerts) and returns the snapshot. */
  readonly sampleNow: Effect.Effect<MonitorSnapshot>
  /** The last sample of one agent. */
  readonly agent: (id: string) => Effect.Effect<Option.Option<AgentSample>>
  /**
   * Wraps a definition so that each handled message is timed (on `Clock`); agents spawned from
   * the result also report a handler latency histogram.
   */
  readonly instrument: <S, M, E, R>(definition: AgentDefinition<S, M, E, R>) => AgentDefinition<S, M, E, R>
}

interface Tracked {
  readonly ref: AgentRef<unknown>
  readonly kind: string
  restarts: number
  /** `ref.handledCount()` when the monitor first saw the agent. */
  readonly baseHandled: number
  previousHandled: number
  previousAt: number
}

class HandlerStats {
  readonly latency = new LatencyHistogram()
}

const emptySnapshot: MonitorSnapshot = {
  sampledAt: 0,
  samples: 0,
  agents: [],
  alerts: [],
  untracked: 0,
  totals: { agents: 0, mailboxDepth: 0, maxMailboxDepth: 0, messagesPerSecond: 0, memoryBytes: 0 }
}

const alertMetrics: ReadonlyArray<AlertMetric> = ["mailboxDepth", "restarts", "memoryBytes", "latencyP99Millis"]

const valueOf = (sample: AgentSample, metric: AlertMetric): number | undefined => {
  switch (metric) {
    case "mailboxDepth":
      return sample.mailboxDepth
    case "restarts":
      return sample.restarts
    case "memoryBytes":
      return sample.memoryBytes
    case "latencyP99Millis":
      return sample.latency?.p99
  }
}

const decodeOptions = decodeInput(MonitorOptions, "Monitor.make")

/**
 * Starts a monitor in the current scope (its sampler stops with the scope). Fails with
 * `InvalidInput` on bad options.
 *
 * @example
 * ```ts
 * const monitor = yield* Monitor.make({ intervalMillis: 500, thresholds: { mailboxDepth: 100 } })
 * const { agents } = yield* monitor.snapshot
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: MonitorOptions = {}) =>
  Effect.gen(function* () {
    const options = yield* decodeOptions(input)
    const interval = options.intervalMillis ?? 1_000
    const maxAgents = options.maxAgents ?? 100_000
    const thresholds: Thresholds = options.thresholds ?? {}
    const name = options.name ?? "monitor"
    const system = yield* AgentSystem
    const store = yield* Effect.serviceOption(EventStore)
    const registry = yield* Effect.serviceOption(Registry)
    const clock = yield* Effect.clockWith((clock) => Effect.succeed(clock))
    const nowMillis = () => clock.currentTimeMillisUnsafe()
    const preciseMillis = () => Number(clock.currentTimeNanosUnsafe()) / 1e6

    const tracked = new Map<string, Tracked>()
    const stats = new Map<string, HandlerStats>()
    const active = new Map<string, Alert>()
    const lastSamples = new Map<string, AgentSample>()
    let current: MonitorSnapshot = emptySnapshot
    let alertSequence = 0

    const track = (id: string) => {
      if (tracked.has(id)) return
      const ref = system.lookup(id)
      if (Option.isNone(ref)) return
      if (tracked.size >= maxAgents) return
      const handled = ref.value.handledCount()
      tracked.set(id, {
        ref: ref.value,
        kind: ref.value.kind,
        restarts: 0,
        baseHandled: handled,
        previousHandled: handled,
        previousAt: nowMillis()
      })
    }

    const forget = (id: string) => {
      tracked.delete(id)
      stats.delete(id)
      lastSamples.delete(id)
      for (const metric of alertMetrics) active.delete(`${id}\u0000${metric}`)
    }

    const onEvent = (event: AgentEvent): Effect.Effect<void> => {
      switch (event._tag) {
        case "AgentStarted":
          return Effect.sync(() => track(event.agent))
        case "AgentRestarted":
          // The restart itself is counted by the agent system (`mabeam.agent.restarts`).
          return Effect.sync(() => {
            track(event.agent)
            const entry = tracked.get(event.agent)
            if (entry !== undefined) entry.restarts = event.restarts
          })
        case "AgentStopped":
          return Effect.sync(() => forget(event.agent))
        case "DeadLetter":
        case "AgentGroupFailed":
          return Effect.void
      }
    }

    const appendAlert = (type: "monitor.alert.raised" | "monitor.alert.cleared", alert: Alert, value: number) =>
      Option.isNone(store)
        ? Effect.void
        : store.value
            .append({
              id: `${name}:${++alertSequence}`,
              type,
              payload: {
                agent: alert.agent,
                metric: alert.metric,
                value,
                threshold: alert.threshold,
                since: alert.since
              }
            })
            .pipe(Effect.catch((error) => Effect.logWarning("monitor: alert not stored", error.message)))

    // Synchronous: an effect per agent would dominate a sample of 10k agents. Crossings are
    // collected and stored afterwards.
    type Crossing = { readonly kind: "raised" | "cleared"; readonly alert: Alert; readonly value: number }
    const checkAlerts = (sample: AgentSample, crossings: Array<Crossing>) => {
      for (const metric of alertMetrics) {
        const threshold = thresholds[metric]
        if (threshold === undefined) continue
        const value = valueOf(sample, metric)
        const key = `${sample.id}\u0000${metric}`
        const existing = active.get(key)
        if (value !== undefined && value >= threshold) {
          if (existing !== undefined) continue
          const alert: Alert = { agent: sample.id, metric, value, threshold, since: sample.sampledAt }
          active.set(key, alert)
          crossings.push({ kind: "raised", alert, value })
        } else if (existing !== undefined) {
          active.delete(key)
          crossings.push({ kind: "cleared", alert: existing, value: value ?? 0 })
        }
      }
    }

    const report = (crossings: ReadonlyArray<Crossing>) =>
      Effect.forEach(
        crossings,
        ({ alert, kind, value }) =>
          kind === "raised"
            ? Effect.andThen(
                Metric.update(Metric.withAttributes(M.alertsRaised, { metric: alert.metric }), 1),
                appendAlert("monitor.alert.raised", alert, value)
              )
            : appendAlert("monitor.alert.cleared", alert, value),
        { discard: true }
      )

    const sampleOne = (id: string, entry: Tracked, now: number): AgentSample => {
      const depth = entry.ref.mailboxSize()
      const seconds = (now - entry.previousAt) / 1000
      const handlerStats = stats.get(id)
      const total = entry.ref.handledCount()
      const rate = seconds > 0 ? (total - entry.previousHandled) / seconds : 0
      if (seconds > 0) {
        entry.previousAt = now
        entry.previousHandled = total
      }
      const latency =
        handlerStats === undefined || handlerStats.latency.count === 0
          ? undefined
          : {
              count: handlerStats.latency.count,
              p50: handlerStats.latency.quantile(0.5),
              p99: handlerStats.latency.quantile(0.99),
              max: handlerStats.latency.max
            }
      return {
        id,
        kind: entry.kind,
        mailboxDepth: depth,
        handled: total - entry.baseHandled,
        messagesPerSecond: rate,
        restarts: entry.restarts,
        memoryBytes: AGENT_BASE_BYTES + depth * QUEUED_MESSAGE_BYTES,
        latency,
        sampledAt: now
      }
    }

    // The lifecycle stream is bounded (it drops the oldest events when a burst outruns it), so
    // agents are also found from the root supervisor and the registry whenever the system holds
    // more agents than are tracked.
    const discover = Effect.gen(function* () {
      for (const supervisor of yield* system.supervisors)
        for (const child of yield* supervisor.children) track(child.id)
      if (Option.isSome(registry)) {
        const keys = yield* Effect.orElseSucceed(registry.value.keys, () => [] as ReadonlyArray<string>)
        for (const key of keys) track(key)
      }
    })

    const sample: Effect.Effect<MonitorSnapshot> = Effect.gen(function* () {
      if (system.size() > tracked.size && tracked.size < maxAgents) yield* discover
      const now = nowMillis()
      const crossings: Array<Crossing> = []
      const agents: Array<AgentSample> = []
      let queued = 0
      let deepest = 0
      let rate = 0
      let memory = 0
      let worstP99 = 0
      for (const [id, entry] of tracked) {
        if (!entry.ref.isAlive()) {
          forget(id)
          continue
        }
        const one = sampleOne(id, entry, now)
        agents.push(one)
        lastSamples.set(id, one)
        queued += one.mailboxDepth
        if (one.mailboxDepth > deepest) deepest = one.mailboxDepth
        rate += one.messagesPerSecond
        memory += one.memoryBytes
        if (one.latency !== undefined && one.latency.p99 > worstP99) worstP99 = one.latency.p99
        checkAlerts(one, crossings)
      }
      yield* report(crossings)
      yield* Metric.update(M.monitoredAgents, agents.length)
      yield* Metric.update(M.queuedMessages, queued)
      yield* Metric.update(M.maxMailboxDepth, deepest)
      yield* Metric.update(M.messageRate, rate)
      yield* Metric.update(M.memoryEstimate, memory)
      yield* Metric.update(M.worstLatencyP99, worstP99 / 1_000)
      current = {
        sampledAt: now,
        samples: current.samples + 1,
        agents,
        alerts: [...active.values()],
        untracked: Math.max(0, system.size() - agents.length),
        totals: {
          agents: agents.length,
          mailboxDepth: queued,
          maxMailboxDepth: deepest,
          messagesPerSecond: rate,
          memoryBytes: memory
        }
      }
      return current
    })

    // Subscribe before discovering, so an agent started in between is not missed.
    yield* Effect.forkScoped(Stream.runForEach(system.events, onEvent), { startImmediately: true })
    yield* discover
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(interval), sample)))

    const instrument = <S, Msg, E, R>(definition: AgentDefinition<S, Msg, E, R>): AgentDefinition<S, Msg, E, R> => ({
      ...definition,
      handle: (state, message, context) => {
        const id = context.self.id
        let own = stats.get(id)
        if (own === undefined) {
          if (stats.size >= maxAgents) return definition.handle(state, message, context)
          own = new HandlerStats()
          stats.set(id, own)
        }
        const counted = own
        const started = preciseMillis()
        const next = definition.handle(state, message, context)
        if (!Effect.isEffect(next)) {
          counted.latency.record(preciseMillis() - started)
          return next
        }
        return Effect.ensuring(
          next,
          Effect.sync(() => {
            counted.latency.record(preciseMillis() - started)
          })
        )
      }
    })

    return Monitor.of({
      snapshot: Effect.sync(() => current),
      sampleNow: sample,
      agent: (id) => Effect.sync(() => Option.fromNullishOr(lastSamples.get(id))),
      instrument
    })
  })

/**
 * The performance monitor of one agent system.
 *
 * @since 0.1.0
 * @category services
 */
export class Monitor extends Context.Service<Monitor, MonitorShape>()("mabeam/Monitor") {
  /** A monitor sampling every second, without thresholds. */
  static readonly layer: Layer.Layer<Monitor, never, AgentSystem> = Layer.effect(
    Monitor,
    Effect.orDie(Effect.suspend(() => make()))
  )
  /** A monitor with the given options; fails with `InvalidInput` on bad options. */
  static readonly layerWith = (options: MonitorOptions): Layer.Layer<Monitor, InvalidInput, AgentSystem> =>
    Layer.effect(Monitor, make(options))
}
