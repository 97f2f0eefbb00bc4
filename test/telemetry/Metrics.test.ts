import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, Metric, References } from "effect"
import { count, layerLogger, messagesDropped, registrySize, setGauge } from "../../src/telemetry/index.ts"

describe("telemetry helpers", () => {
  it.effect("count and setGauge update the series with the given attributes", () =>
    Effect.gen(function* () {
      yield* count(messagesDropped, { reason: "overflow" })
      yield* count(messagesDropped, { reason: "overflow" })
      yield* setGauge(registrySize, 7)
      const dropped = yield* Metric.value(Metric.withAttributes(messagesDropped, { reason: "overflow" }))
      assert.strictEqual(dropped.count, 2)
      assert.strictEqual((yield* Metric.value(registrySize)).value, 7)
    })
  )

  it.effect("layerLogger sets the minimum level", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* References.MinimumLogLevel, "Warn")
      const lines: Array<string> = []
      const capture = Logger.make(({ logLevel }) => void lines.push(logLevel))
      yield* Effect.logInfo("hidden").pipe(Effect.provide(Logger.layer([capture])))
      yield* Effect.logError("shown").pipe(Effect.provide(Logger.layer([capture])))
      assert.deepStrictEqual(lines, ["Error"])
    }).pipe(Effect.provide(layerLogger({ format: "json", level: "Warn" })))
  )
})
