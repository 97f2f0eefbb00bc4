/**
 * The composition root: one Layer that builds every mabeam service inside one scope.
 *
 * Closing the scope stops every agent (children in reverse start order, each within its
 * shutdown timeout), removes their registry entries, flushes telemetry and closes storage.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Metric, Schedule, Stream } from "effect"
import { AgentSystem } from "../agent/index.ts"
import { type ConfigSources, InvalidConfig, MabeamConfig } from "../config/index.ts"
import type { InvalidInput } from "../errors/index.ts"
import { EventStore } from "../events/index.ts"
import { Registry } from "../registry/index.ts"
import {
  type AuditLog,
  type Authorization,
  SecureAgents,
  type SecureMode,
  secureLayer,
  type SecurityOptions,
  type Tokens
} from "../security/index.ts"
import { layerOtlpFromEnv, layerPrometheusFromConfig, registrySize } from "../telemetry/index.ts"

/**
 * Telemetry export: OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, Prometheus `/metrics` when
 * `telemetry.prometheusPort` > 0 (a port that cannot be bound is a config error).
 */
const telemetry = Layer.merge(
  layerOtlpFromEnv,
  layerPrometheusFromConfig.pipe(
    Layer.catchTag("PrometheusServeError", (error) =>
      Layer.effectDiscard(
        Effect.fail(
          new InvalidConfig({
            issues: [
              {
                key: "telemetry.prometheusPort",
                env: "MABEAM_TELEMETRY_PROMETHEUS_PORT",
                value: String(error.port),
                expected: `a free port on 127.0.0.1 (${error.reason})`
              }
            ]
          })
        )
      )
    )
  )
)

/**
 * Keeps the `mabeam.registry.size` gauge equal to the registry's entry count, following its
 * change stream (and subscribing again if it ever lags behind).
 */
const registryGauge = Layer.effectDiscard(
  Effect.gen(function* () {
    const registry = yield* Registry
    const gauge = Metric.withAttributes(registrySize, { namespace: registry.namespace })
    const update = Effect.flatMap(registry.count, (count) => Metric.update(gauge, count))
    const follow = Effect.scoped(
      Effect.gen(function* () {
        const changes = yield* registry.subscribe
        yield* update
        yield* Stream.runForEach(changes, () => update)
      })
    )
    yield* Effect.forkScoped(follow.pipe(Effect.retry(Schedule.forever), Effect.ignore))
  })
)

/**
 * Where the options come from. Per key, the first source that sets it wins: `values` (code), then
 * `MABEAM_*` env vars (`env`, or the ambient `ConfigProvider`), then the JSON file (`file`, or the
 * one named by `MABEAM_CONFIG_FILE`), then the default. Every bad key is reported at startup.
 *
 * `security` switches secure mode on (see `layer`).
 *
 * @since 0.1.0
 * @category models
 */
export interface MabeamLayerOptions extends ConfigSources {
  /** Secure mode: grants, token and audit options. Off when absent. */
  readonly security?: SecurityOptions | undefined
}

/**
 * Every service `Mabeam.layer` provides.
 *
 * @since 0.1.0
 * @category models
 */
export type MabeamServices = AgentSystem | Registry | EventStore | MabeamConfig

/**
 * The services secure mode adds to `MabeamServices`.
 *
 * @since 0.1.0
 * @category models
 */
export type SecurityServices = SecureMode | Tokens | Authorization | AuditLog

/**
 * Builds config, telemetry export (OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, Prometheus
 * when `telemetry.prometheusPort` > 0), the event
 * store, the registry (in memory) and the agent system with its root supervisor. Fails at startup
 * with `InvalidConfig` naming every bad key.
 *
 * With `security`, secure mode is on for everything it builds: the registry checks ownership, the
 * agent system provided is the checked one (`SecureAgents`: spawn, stop, tell, ask, link and the
 * supervisors need the caller's capability; the raw system is not in the output), and
 * `SecureMode`, `Tokens`, `Authorization` and an `AuditLog` persisted to the event store are
 * provided too. Without it nothing checks a caller (see README's threat model).
 *
 * @example
 * ```ts
 * const program = Effect.gen(function*() {
 *   const agents = yield* AgentSystem
 *   const counter = yield* agents.spawn(Counter)
 *   yield* counter.tell(Increment.make({ by: 1 }))
 * })
 * program.pipe(Effect.provide(Mabeam.layer()), NodeRuntime.runMain)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export function layer(
  options: MabeamLayerOptions & { readonly security: SecurityOptions }
): Layer.Layer<MabeamServices | SecurityServices, InvalidConfig | InvalidInput>
/**
 * @since 0.1.0
 * @category layers
 */
export function layer(options?: MabeamLayerOptions): Layer.Layer<MabeamServices, InvalidConfig | InvalidInput>
/**
 * @since 0.1.0
 * @category layers
 */
export function layer(options: MabeamLayerOptions = {}): Layer.Layer<MabeamServices, InvalidConfig | InvalidInput> {
  const { security, ...sources } = options
  const agents = Layer.unwrap(
    Effect.map(Effect.service(MabeamConfig), (config) => AgentSystem.layerWith({ node: config.initial.nodeName }))
  )
  const registry = registryGauge.pipe(Layer.provideMerge(Registry.layer))
  const base = Layer.mergeAll(EventStore.layer, telemetry).pipe(Layer.provideMerge(MabeamConfig.layerWith(sources)))
  if (security === undefined) return agents.pipe(Layer.provideMerge(registry), Layer.provideMerge(base))
  // The registry and the agent system are built with SecureMode in context; the agent system
  // in the output is the checked one.
  return SecureAgents.secureAgents(agents).pipe(
    Layer.provideMerge(registry),
    Layer.provideMerge(secureLayer(security)),
    Layer.provideMerge(base)
  )
}
