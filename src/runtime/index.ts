/**
 * The composition root (`mabeam/runtime`): `Mabeam.layer(options)` for applications,
 * `MabeamTest.layer({ seed })` for tests (TestClock, seeded Random). Compose your own layers with
 * it in one scope; closing the scope stops every agent in order.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Mabeam } from "mabeam/runtime"
 *
 * const App = MyService.layer.pipe(Layer.provideMerge(Mabeam.layer({ values: { nodeName: "node-a" } })))
 * Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(App)))
 * ```
 *
 * @since 0.1.0
 */
export * as Mabeam from "./Mabeam.ts"
export type { MabeamLayerOptions, MabeamServices, SecurityServices } from "./Mabeam.ts"
export * as MabeamTest from "./MabeamTest.ts"
export type { MabeamTestOptions } from "./MabeamTest.ts"
