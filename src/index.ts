/**
 * mabeam: a multi-agent coordination runtime on Effect 4.
 *
 * The root entry exports the core flat: agents (`Agent`, `AgentSystem`), supervision
 * (`Supervisor`), the runtime (`Mabeam.layer`, `MabeamTest.layer`) and the shared errors; every
 * other capability is a namespace (`Registry`, `Coordination`, `Economics`, ...). Each capability
 * is also a subpath that exports it flat (`import { Registry } from "mabeam/registry"`): import
 * from there to load only what you use.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Agent, AgentSystem, Mabeam } from "mabeam"
 *
 * const Add = Agent.request("Add", { a: Schema.Number, b: Schema.Number }, Schema.Number)
 * const Adder = Agent.make({ name: "adder", messages: Add, initial: () => null,
 *   handle: (state, msg, ctx) => (ctx.reply(msg, msg.a + msg.b), state) })
 *
 * const program = Effect.gen(function*() {
 *   const adder = yield* (yield* AgentSystem).spawn(Adder)
 *   return yield* adder.ask(Add.make({ a: 2, b: 3 }))   // 5
 * })
 * Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(Mabeam.layer())))
 * ```
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
