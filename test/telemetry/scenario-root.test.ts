/** A CLI scenario run is one root span, exported to the collector named by `--otlp`. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { findScenario, runScenario } from "../../src/cli/index.ts"
import { receiver } from "./receiver.ts"

describe("CLI scenarios are traced", () => {
  it.live(
    "run auction exports a root span mabeam.scenario.run naming the scenario and the seed",
    () =>
      Effect.gen(function* () {
        const collector = yield* receiver()
        const scenario = yield* findScenario("auction")
        yield* runScenario(scenario, { seed: 2, rounds: 1, paceMillis: 0, otlp: collector.endpoint })
        const received = yield* collector.waitFor((r) => r.spans.some((s) => s.name === "mabeam.scenario.run"))
        const root = received.spans.find((s) => s.name === "mabeam.scenario.run")!
        assert.strictEqual(root.parentSpanId, "")
        assert.strictEqual(root.attributes["mabeam.scenario"], "auction")
        assert.strictEqual(root.attributes["mabeam.seed"], 2)
        assert.isAbove(Number(root.startTimeUnixNano), Date.UTC(2020, 0, 1) * 1e6)
      }),
    60_000
  )
})
