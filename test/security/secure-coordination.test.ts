/**
 * Attacks on coordination in secure mode (issue 29): with `SecureCoordination.layer` over the raw
 * service, a caller without the capability cannot take a lock, stand in an election, propose a
 * value, bump a counter or crash a participant; each refusal is typed, audited and changes nothing
 * (no lease, no token used, no decision, the counter unchanged, the participant up).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Scope } from "effect"
import { TestClock } from "effect/testing"
import { Coordination } from "../../src/coordination/index.ts"
import {
  AuditLog,
  SecureCoordination,
  SecureMode,
  secureLayer,
  Tokens,
  Unauthorized
} from "../../src/security/index.ts"
import { Transport } from "../../src/transport/index.ts"

const Secure = secureLayer({
  authorization: {
    grants: {
      ops: ["coordination:*"],
      worker: ["coordination:lock:db", "coordination:counter:hits", "coordination:propose:g"]
    }
  }
}).pipe(Layer.orDie)
const App = SecureCoordination.layer.pipe(
  Layer.provide(Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))),
  Layer.provideMerge(Secure)
)

const as = (agent: string) =>
  Effect.gen(function* () {
    const token = yield* Effect.orDie((yield* Tokens).issue(agent))
    return (yield* SecureMode).actAs(token)
  })

/** Runs `body` in a fiber and advances the test clock in 10 ms ticks until it is done. */
const drive = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(body)
    for (let t = 0; t < 20_000 && fiber.pollUnsafe() === undefined; t += 10) yield* TestClock.adjust(10)
    return yield* Fiber.join(fiber)
  })

describe("coordination in secure mode", () => {
  it.effect("lock, elect, propose, increment and crash need the caller's capability; refusals change nothing", () =>
    Effect.gen(function* () {
      const c = yield* Coordination
      const mallory = yield* as("mallory")
      const worker = yield* as("worker")
      const ops = yield* as("ops")
      const scope = yield* Scope.make()
      const attacks: ReadonlyArray<Effect.Effect<unknown, unknown, Scope.Scope>> = [
        mallory(c.lock("db", { ttl: 1_000 })),
        c.lock("db", { ttl: 1_000 }),
        worker(c.lock("other", { ttl: 1_000 })),
        mallory(c.elect("leaders")),
        worker(c.elect("leaders")),
        mallory(c.propose("g", "evil")),
        mallory(c.counter("hits").increment(100)),
        worker(c.participants.crash("lock/owner")),
        mallory(c.participants.restart("lock/owner"))
      ]
      for (const attack of attacks) assert.instanceOf(yield* Effect.flip(Scope.provide(attack, scope)), Unauthorized)
      const untouched = yield* c.state
      assert.deepStrictEqual(
        [untouched.locks, untouched.lastToken, untouched.elections, untouched.consensus],
        [[], 0, [], []]
      )
      assert.deepStrictEqual(untouched.participants, [{ name: "lock/owner", up: true }])

      const lease = yield* Scope.provide(drive(worker(c.lock("db", { ttl: 1_000 }))), scope)
      assert.strictEqual(lease.token, 1)
      assert.strictEqual(yield* drive(worker(c.counter("hits").increment(2))), 2)
      assert.strictEqual(yield* drive(worker(c.propose("g", "good"))), "good")
      yield* ops(c.participants.crash("lock/owner"))
      assert.deepStrictEqual(
        (yield* c.participants.list).find((p) => p.name === "lock/owner"),
        { name: "lock/owner", up: false }
      )
      yield* Scope.close(scope, Exit.void)

      const denied = (yield* (yield* AuditLog).records).filter((r) => r.type === "security.unauthorized")
      assert.deepStrictEqual(
        denied.map((r) => [r.agent, (r.detail as { capability: string }).capability]),
        [
          ["mallory", "coordination:lock:db"],
          ["anonymous", "coordination:lock:db"],
          ["worker", "coordination:lock:other"],
          ["mallory", "coordination:elect:leaders"],
          ["worker", "coordination:elect:leaders"],
          ["mallory", "coordination:propose:g"],
          ["mallory", "coordination:counter:hits"],
          ["worker", "coordination:admin"],
          ["mallory", "coordination:admin"]
        ]
      )
      assert.isAbove(yield* (yield* AuditLog).verify, 0)
    }).pipe(Effect.provide(App))
  )
})
