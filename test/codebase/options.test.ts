/**
 * Public option objects are decoded with Schema: a bad field fails with `InvalidInput` naming
 * the field (and the operation), and builds nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { Health } from "../../src/infrastructure/index.ts"
import { makeOrchestrator } from "../../src/variables/index.ts"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const found = Exit.findErrorOption(exit)
  return found._tag === "Some" ? found.value : undefined
}

describe("options decoded with Schema", () => {
  it.effect("Health.layerWith rejects a bad maxComponents or timeout, naming the field", () =>
    Effect.gen(function* () {
      for (const [options, field] of [
        [{ maxComponents: 0 }, "maxComponents"],
        [{ maxComponents: 1.5 }, "maxComponents"],
        [{ checkTimeoutMillis: Number.NaN }, "checkTimeoutMillis"]
      ] as const) {
        const exit = yield* Effect.exit(Effect.scoped(Layer.build(Health.layerWith(options))))
        const error = failureOf(exit)
        assert.strictEqual(error?._tag, "InvalidInput")
        assert.include(error?.message ?? "", "Health.layerWith")
        assert.include(error?.message ?? "", field)
      }
      const built = yield* Effect.exit(
        Effect.scoped(Layer.build(Health.layerWith({ maxComponents: 2, checkTimeoutMillis: 10 })))
      )
      assert.isTrue(Exit.isSuccess(built))
    })
  )

  it.effect("Orchestrator.make rejects a maxStudies that is not a whole number >= 1, naming the field", () =>
    Effect.gen(function* () {
      for (const maxStudies of [0, -3, 2.5, Number.POSITIVE_INFINITY]) {
        const error = failureOf(yield* Effect.exit(makeOrchestrator({ maxStudies })))
        assert.strictEqual(error?._tag, "InvalidInput")
        assert.include(error?.message ?? "", "maxStudies")
      }
      const orchestrator = yield* makeOrchestrator({ maxStudies: 1 })
      assert.isDefined(orchestrator.define)
    })
  )
})
