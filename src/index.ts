/**
 * mabeam: a multi-agent coordination runtime on Effect.
 *
 * Each capability is a folder with a small public `index.ts`; this entry re-exports them.
 *
 * @since 0.1.0
 */
export * from "./agent/index.ts"
export * from "./errors/index.ts"
export * from "./runtime/index.ts"
export * from "./supervision/index.ts"
export * as Cluster from "./cluster/index.ts"
export * as Comms from "./comms/index.ts"
export * as Config from "./config/index.ts"
export * as Coordination from "./coordination/index.ts"
export * as Economics from "./economics/index.ts"
export * as Events from "./events/index.ts"
export * as Infrastructure from "./infrastructure/index.ts"
export * as Monitor from "./monitor/index.ts"
export * as Placement from "./placement/index.ts"
export * as Registry from "./registry/index.ts"
export * as Resources from "./resources/index.ts"
export * as Security from "./security/index.ts"
export * as Sim from "./sim/index.ts"
export * as Sql from "./sql/index.ts"
export * as Telemetry from "./telemetry/index.ts"
export * as Transport from "./transport/index.ts"
export * as Variables from "./variables/index.ts"
