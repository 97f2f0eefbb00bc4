/** A runner found dead by the health check — the start of a failover — is a log record. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Logger } from "effect"
import { ClusterError, RunnerAddress, RunnerHealth, Runners } from "effect/cluster"
import { TestClock } from "effect/testing"
import { Failover } from "../../src/cluster/index.ts"

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
})
