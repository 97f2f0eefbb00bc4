/** A runner found dead by the health check — the start of a failover — is a log record in a root span. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Logger } from "effect"
import { ClusterError, RunnerAddress, RunnerHealth, Runners } from "effect/cluster"
import { TestClock } from "effect/testing"
import { Failover } from "../../src/cluster/index.ts"
import { recording } from "./recording.ts"

const address = RunnerAddress.make("127.0.0.1", 1)

const check = (ping: Effect.Effect<void, ClusterError.RunnerUnavailable>) => {
  const lines: Array<{ readonly level: string; readonly text: string }> = []
  const capture = Logger.make(
    ({ logLevel, message }) =>
      void lines.push({ level: logLevel, text: (Array.isArray(message) ? message : [message]).map(String).join(" ") })
  )
  const runners = Layer.succeed(Runners.Runners)({ ping: () => ping } as unknown as Runners.Runners["Service"])
  return Effect.gen(function* () {
    const fiber = yield* Effect.forkChild((yield* RunnerHealth.RunnerHealth).isAlive(address))
    yield* TestClock.adjust("10 seconds")
    return { alive: yield* Fiber.join(fiber), lines }
  }).pipe(
    Effect.provide(Failover.runnerHealth(Failover.fast).pipe(Layer.provide(runners))),
    Effect.provide(Logger.layer([capture]))
  )
}

describe("failover logs", () => {
  it.effect("a runner that fails its health check is logged (Warn) with its address; a live one is not", () =>
    Effect.gen(function* () {
      const dead = yield* check(Effect.fail(new ClusterError.RunnerUnavailable({ address })))
      assert.isFalse(dead.alive)
      assert.strictEqual(dead.lines.length, 1)
      assert.strictEqual(dead.lines[0]!.level, "Warn")
      assert.include(dead.lines[0]!.text, `runner ${address.toString()} failed its health check`)
      const live = yield* check(Effect.void)
      assert.isTrue(live.alive)
      assert.deepStrictEqual(live.lines, [])
    })
  )

  it.effect(
    "with a tracer installed, the failover is a root span naming the dead runner; a live runner opens none",
    () =>
      Effect.gen(function* () {
        const { spans, tracer } = recording()
        const dead = yield* check(Effect.fail(new ClusterError.RunnerUnavailable({ address }))).pipe(
          Effect.withTracer(tracer)
        )
        assert.isFalse(dead.alive)
        const failovers = spans.filter((span) => span.name === "mabeam.cluster.failover")
        assert.strictEqual(failovers.length, 1)
        assert.strictEqual(failovers[0]!.attributes.get("mabeam.runner.address"), address.toString())
        assert.strictEqual(failovers[0]!.parent._tag, "None")
        assert.strictEqual(failovers[0]!.status._tag, "Ended")
        const live = yield* check(Effect.void).pipe(Effect.withTracer(tracer))
        assert.isTrue(live.alive)
        assert.strictEqual(
          spans.filter((span) => span.name === "mabeam.cluster.failover").length,
          1,
          "a live runner opens none"
        )
      })
  )
})
