import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { MabeamConfig } from "../../src/config/index.ts"
import { EventStore } from "../../src/events/index.ts"
import { conformance } from "./conformance.ts"

conformance("memory", (retention) => EventStore.layerMemory(retention))

describe("EventStore memory layers", () => {
  it.effect("bad retention fails with InvalidInput", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(EventStore.layerMemory({ maxCount: 0, maxAgeMillis: 0 })))
      assert.deepInclude(error, { _tag: "InvalidInput", where: "EventStore.layer" })
    })
  )

  it.effect("the config layer takes retention from MabeamConfig", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      for (const id of ["a", "b", "c"]) yield* store.append({ id, type: "t", payload: null })
      assert.strictEqual(yield* store.count, 2)
    }).pipe(
      Effect.provide(
        EventStore.layer.pipe(Layer.provide(MabeamConfig.layerWith({ env: { MABEAM_EVENTS_MAX_COUNT: "2" } })))
      )
    )
  )
})
