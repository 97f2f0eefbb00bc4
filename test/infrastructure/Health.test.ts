import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Health } from "../../src/infrastructure/index.ts"

const layer = Health.layerWith({ checkTimeoutMillis: 1_000, maxComponents: 3 })

describe("Health", () => {
  it.effect("no components is healthy", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* (yield* Health).check, { status: "healthy", components: [], reasons: [] })
    }).pipe(Effect.provide(layer))
  )

  it.effect("the aggregate is the worst status, with a reason per non-healthy component", () =>
    Effect.gen(function* () {
      const health = yield* Health
      yield* health.report("db", { status: "healthy" })
      yield* health.report("queue", { status: "degraded", reason: "backlog 900/1000" })
      let report = yield* health.check
      assert.strictEqual(report.status, "degraded")
      assert.deepStrictEqual(report.reasons, ["queue: backlog 900/1000"])
      yield* health.register("api", Effect.succeed({ status: "unhealthy", reason: "503" }))
      report = yield* health.check
      assert.strictEqual(report.status, "unhealthy")
      assert.deepStrictEqual(report.reasons, ["queue: backlog 900/1000", "api: 503"])
      yield* health.report("queue", { status: "healthy" })
      yield* health.remove("queue")
      assert.strictEqual((yield* health.check).components.length, 2)
    }).pipe(Effect.provide(layer))
  )

  it.effect("a failing or dying check is unhealthy with the cause as reason", () =>
    Effect.gen(function* () {
      const health = yield* Health
      yield* health.register("failing", Effect.fail(new Error("connection refused")))
      yield* health.register("dying", Effect.die("bug"))
      const report = yield* health.check
      assert.strictEqual(report.status, "unhealthy")
      assert.include(report.reasons[0], "connection refused")
      assert.include(report.reasons[1], "bug")
    }).pipe(Effect.provide(layer))
  )

  it.effect("a check slower than the timeout is unhealthy", () =>
    Effect.gen(function* () {
      const health = yield* Health
      yield* health.register("slow", Effect.never)
      const fiber = yield* Effect.forkChild(health.check)
      yield* TestClock.adjust("1 second")
      const report = yield* Fiber.join(fiber)
      assert.deepStrictEqual(report.reasons, ["slow: check timed out after 1000 ms"])
    }).pipe(Effect.provide(layer))
  )

  it.effect("a pull component goes away with its scope", () =>
    Effect.gen(function* () {
      const health = yield* Health
      const scope = yield* Scope.make()
      yield* health.register("temp", Effect.succeed({ status: "degraded" })).pipe(Scope.provide(scope))
      assert.strictEqual((yield* health.check).status, "degraded")
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual((yield* health.check).status, "healthy")
    }).pipe(Effect.provide(layer))
  )

  it.effect("duplicates, bad input and the component limit fail typed and change nothing", () =>
    Effect.gen(function* () {
      const health = yield* Health
      yield* health.register("a", Effect.succeed({ status: "healthy" }))
      assert.strictEqual(
        (yield* Effect.flip(health.register("a", Effect.succeed({ status: "healthy" }))))._tag,
        "ComponentExists"
      )
      assert.strictEqual((yield* Effect.flip(health.report("a", { status: "healthy" })))._tag, "ComponentExists")
      assert.strictEqual(
        (yield* Effect.flip(health.register("", Effect.succeed({ status: "healthy" }))))._tag,
        "InvalidInput"
      )
      const bad = yield* Effect.flip(health.report("b", { status: "sick" } as never))
      assert.deepInclude(bad, { _tag: "InvalidInput", where: "Health.report" })
      yield* health.report("b", { status: "healthy" })
      yield* health.report("c", { status: "healthy" })
      const full = yield* Effect.flip(health.report("d", { status: "healthy" }))
      assert.deepInclude(full, { _tag: "LimitReached", registry: "Health", limit: 3 })
      assert.strictEqual((yield* health.check).components.length, 3)
    }).pipe(Effect.provide(layer))
  )
})
