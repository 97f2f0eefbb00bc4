import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { ClusterError, RunnerAddress, RunnerHealth, Runners } from "effect/cluster"
import { TestClock } from "effect/testing"
import { Failover } from "../../src/cluster/index.ts"

const address = RunnerAddress.make("127.0.0.1", 1)

/** `Failover.runnerHealth` over a Runners whose ping is `ping`; counts the pings. */
const healthWith = (ping: Effect.Effect<void, ClusterError.RunnerUnavailable>) => {
  let pings = 0
  const runners = Layer.succeed(Runners.Runners)({
    ping: () =>
      Effect.suspend(() => {
        pings++
        return ping
      })
  } as unknown as Runners.Runners["Service"])
  const layer = Failover.runnerHealth(Failover.fast).pipe(Layer.provide(runners))
  return { layer, pings: () => pings }
}

describe("Failover", () => {
  it.effect("a runner that refuses every ping is unhealthy after pingAttempts pings", () => {
    const health = healthWith(Effect.fail(new ClusterError.RunnerUnavailable({ address })))
    return Effect.gen(function* () {
      const check = yield* Effect.forkChild((yield* RunnerHealth.RunnerHealth).isAlive(address))
      yield* TestClock.adjust("1 second")
      assert.isFalse(yield* Fiber.join(check))
      assert.strictEqual(health.pings(), Failover.fast.pingAttempts)
    }).pipe(Effect.provide(health.layer))
  })

  it.effect("a runner that never answers is unhealthy once every ping timed out", () => {
    const health = healthWith(Effect.never)
    return Effect.gen(function* () {
      const check = yield* Effect.forkChild((yield* RunnerHealth.RunnerHealth).isAlive(address))
      // 3 pings of 2 s, 200 ms apart: not decided at 6.3 s, decided by 6.5 s.
      yield* TestClock.adjust("6300 millis")
      assert.isUndefined(check.pollUnsafe())
      yield* TestClock.adjust("200 millis")
      assert.isFalse(yield* Fiber.join(check))
    }).pipe(Effect.provide(health.layer))
  })

  it.effect("a runner that answers the second ping is healthy", () => {
    let calls = 0
    const health = healthWith(
      Effect.suspend(() => (++calls === 1 ? Effect.fail(new ClusterError.RunnerUnavailable({ address })) : Effect.void))
    )
    return Effect.gen(function* () {
      const check = yield* Effect.forkChild((yield* RunnerHealth.RunnerHealth).isAlive(address))
      yield* TestClock.adjust("1 second")
      assert.isTrue(yield* Fiber.join(check))
      assert.strictEqual(health.pings(), 2)
    }).pipe(Effect.provide(health.layer))
  })

  it("settings are checked: positive durations, at least one ping, three lock refreshes per expiration", () => {
    assert.deepStrictEqual(Failover.settings(), Failover.fast)
    assert.strictEqual(Failover.settings({ pingAttempts: 5 }).pingAttempts, 5)
    assert.throws(() => Failover.settings({ pingAttempts: 0 }), /Failover: invalid input: pingAttempts/)
    assert.throws(
      () => Failover.settings({ pingTimeout: "0 millis" }),
      /pingTimeout: expected a positive, finite duration/
    )
    assert.throws(
      () => Failover.settings({ shardLockRefreshInterval: "1 second" }),
      /at most a third of shardLockExpiration/
    )
    assert.deepStrictEqual(Failover.settings(Failover.tolerant), Failover.tolerant)
    assert.deepStrictEqual(Failover.shardingConfig(Failover.fast), {
      runnerHealthCheckInterval: "250 millis",
      shardLockExpiration: "2 seconds",
      shardLockRefreshInterval: "500 millis",
      refreshAssignmentsInterval: "200 millis"
    })
  })
})
