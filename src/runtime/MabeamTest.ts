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
import type { SecurityOptions } from "../security/index.ts"
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
  /** Secure mode, as for `Mabeam.layer`: token expiry and rotation then run on the `TestClock`. */
  readonly security?: SecurityOptions | undefined
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
 * `Mabeam.layer` on simulated time and seeded randomness. With `security`, secure mode is on as in
 * `Mabeam.layer({ security })` (the checked agent system, ownership in the registry, and
 * `SecureMode`, `Tokens`, `Authorization`, `AuditLog` in the output), on the same `TestClock`:
 * advancing it expires tokens and runs scheduled key rotation. Token and audit keys still come from
 * `node:crypto` (key material is never seeded), so tokens differ between runs; the outcomes do not.
 *
 * @example
 * ```ts
 * it.effect("replays", () => scenario.pipe(Effect.provide(MabeamTest.layer({ seed: 42 }))))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export function layer(
  options: MabeamTestOptions & { readonly security: SecurityOptions }
): Layer.Layer<Mabeam.MabeamServices | Mabeam.SecurityServices | TestClock.TestClock, InvalidConfig | InvalidInput>
/**
 * @since 0.1.0
 * @category layers
 */
export function layer(
  options: MabeamTestOptions
): Layer.Layer<Mabeam.MabeamServices | TestClock.TestClock, InvalidConfig | InvalidInput>
/**
 * @since 0.1.0
 * @category layers
 */
export function layer(
  options: MabeamTestOptions
): Layer.Layer<Mabeam.MabeamServices | TestClock.TestClock, InvalidConfig | InvalidInput> {
  // `Mabeam.layer` adds the security services when `security` is set (its first overload).
  return Mabeam.layer({ env: {}, values: options.values, security: options.security }).pipe(
    Layer.provideMerge(Layer.mergeAll(TestClock.layer(), seededRandom(options.seed)))
  )
}
