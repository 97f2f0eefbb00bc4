/**
 * A child whose `stop` dies is killed instead, and the shutdown of the others goes on:
 * closing the supervisor's scope succeeds and its `await` completes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import type { ChildSpec } from "../../src/supervision/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"

const settle = Effect.gen(function* () {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

const child = (id: string, log: Array<string>, stop?: Effect.Effect<void>): ChildSpec<never> => ({
  id,
  shutdown: "infinity",
  ...(stop === undefined ? {} : { stop }),
  start: Effect.gen(function* () {
    log.push(`start:${id}`)
    yield* Effect.addFinalizer(() => Effect.sync(() => log.push(`stop:${id}`)))
    return yield* Effect.never
  })
})

describe("Supervisor: a stop that dies", () => {
  for (const [label, bad] of [
    ["dies", Effect.die(new Error("stop died"))],
    ["dies with a string", Effect.die("stop died")]
  ] as const) {
    it.effect(`a stop that ${label} is killed instead; closing the scope succeeds and await completes`, () =>
      Effect.gen(function* () {
        const log: Array<string> = []
        const scope = yield* Scope.make()
        const supervisor = yield* Supervisor.make().pipe(Scope.provide(scope))
        yield* supervisor.startChild(child("a", log)).pipe(Scope.provide(scope))
        yield* supervisor.startChild(child("b", log, bad)).pipe(Scope.provide(scope))
        yield* settle
        const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
        yield* settle
        const closed = closing.pollUnsafe()
        assert.isDefined(closed, "closing the scope hung")
        assert.isTrue(Exit.isSuccess(closed!), `closing the scope failed: ${String(closed)}`)
        assert.deepStrictEqual(log, ["start:a", "start:b", "stop:b", "stop:a"])
        const awaited = yield* Fiber.await(yield* Effect.forkChild(supervisor.await))
        assert.isTrue(Exit.isSuccess(awaited))
      })
    )
  }
})
