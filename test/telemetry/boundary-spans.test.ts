/** Restarts, give-ups and agent stops show up as spans named `mabeam.<capability>.<operation>`. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Tracer } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"
import { Counter, Crash } from "../agent/fixtures.ts"
import { recording } from "./recording.ts"

/** A tracer that records every span it starts, with its attributes. */
const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

describe("spans at service boundaries", () => {
  it.effect("a restart, a stop and a supervisor giving up are traced", () => {
    const { spans, tracer } = recording()
    return Effect.gen(function* () {
      const system = yield* AgentSystem
      const team = yield* Supervisor.make({ name: "team", intensity: { maxRestarts: 1, within: "1 minute" } })
      const agent = yield* system.spawn(Counter, { id: "traced", supervisor: team })
      yield* agent.tell(Crash.make({}))
      yield* settle
      const other = yield* system.spawn(Counter, { id: "stopped" })
      yield* system.stop(other)
      yield* agent.tell(Crash.make({}))
      yield* settle
      const restart = spans.find((span) => span.name === "mabeam.supervision.restart")
      assert.isDefined(restart)
      assert.strictEqual(restart!.attributes.get("child"), "traced")
      assert.strictEqual(restart!.attributes.get("strategy"), "one-for-one")
      assert.isDefined(
        spans.find((span) => span.name === "mabeam.agents.stop" && span.attributes.get("agent") === "stopped")
      )
      assert.isDefined(
        spans.find((span) => span.name === "mabeam.supervision.give-up" && span.attributes.get("supervisor") === "team")
      )
    }).pipe(Effect.provide(AgentSystem.layer), Effect.withTracer(tracer))
  })
})
