/**
 * The test composition root: the services of `Mabeam.layer` over a `TestClock` and a seeded
 * `Random`, so a run is deterministic and replays from its seed.
 *
 * @since 0.1.0
 */
import { Effect, Layer, Random } from "effect"
import { TestClock } from "effect/testing"
import type { InvalidConfig } from "../config/index.ts"
import type { InvalidInput } from "../errors/index.ts"
import * as Mabeam from "./Mabeam.ts"

/**
 * Options of the test layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface MabeamTestOptions {
  /** The seed of the `Random` service: the same seed gives the same run. */
  readonly seed: string | number
  /** Options in code; env vars are ignored so the host cannot change a test. */
  readonly values?: Mabeam.MabeamLayerOptions["values"]
}

/**
 * Provides a `Random` service seeded with `seed`.
 *
 * @since 0.1.0
 * @category layers
 */
export const seededRandom = (seed: string | number): Layer.Layer<never> =>
  Layer.effect(Random.Random, Effect.service(Random.Random).pipe(Random.withSeed(seed)))

/**
 * `Mabeam.layer` on simulated time and seeded randomness.
 *
 * @example
 * ```ts
 * it.effect("replays", () => scenario.pipe(Effect.provide(MabeamTest.layer({ seed: 42 }))))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: MabeamTestOptions
): Layer.Layer<Mabeam.MabeamServices | TestClock.TestClock, InvalidConfig | InvalidInput> =>
  Mabeam.layer({ env: {}, values: options.values }).pipe(
    Layer.provideMerge(Layer.mergeAll(TestClock.layer(), seededRandom(options.seed)))
  )
