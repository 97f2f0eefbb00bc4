/**
 * One runner of a mabeam cluster as a long-lived service (`mabeam/runner`): its settings from
 * flags and `MABEAM_*` variables, checked all at once (`RunnerConfig`), the agents it hosts
 * (`AgentModule`), its probes (`/healthz`, `/readyz`, `/metrics`: `Probes`) and the runner itself
 * (`Runner.layer` to embed it, `Runner.run` to run it until a shutdown signal, then drain it).
 * `mabeam runner` is `Runner.run` behind the command line.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Runner, RunnerConfig } from "mabeam/runner"
 *
 * const program = Effect.gen(function*() {
 *   const settings = yield* RunnerConfig.fromSources({ storage: "/var/lib/mabeam/cluster.sqlite", agents: "./agents.js" })
 *   yield* Runner.run(settings, { shutdown: Effect.never })
 * })
 * ```
 *
 * @since 0.4.0
 */
export * as AgentModule from "./AgentModule.ts"
export { AgentModuleError } from "./AgentModule.ts"
export * as Probes from "./Probes.ts"
export type { Readiness } from "./Probes.ts"
export * as Runner from "./Runner.ts"
export { DrainTimeout, ListenError, RunnerStatus, StorageUnavailable } from "./Runner.ts"
export type { RunnerStartError, RunOptions } from "./Runner.ts"
export * as RunnerConfig from "./RunnerConfig.ts"
export { ConfigIssue, RunnerConfigError } from "./RunnerConfig.ts"
export type { RunnerSettings, SettingSpec } from "./RunnerConfig.ts"
