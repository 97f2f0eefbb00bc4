/**
 * Attacks on the agent system in secure mode (issue 29): with `SecureAgents.layer` composed over the
 * raw system, spawn, stop, tell, ask, link and the supervisors check the verified caller; a refused
 * call changes nothing (the agent's state is intact, it keeps running) and is audited; the raw
 * system is not reachable through the composed app.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import {
  AuditLog,
  Authorization,
  Capabilities,
  SecureAgents,
  SecureMode,
  secureLayer,
  Tokens,
  Unauthorized
} from "../../src/security/index.ts"
import { Counter, Get, Increment } from "../agent/fixtures.ts"

const grants = {
  boss: ["agent:*"],
  alice: [Capabilities.spawn, "agent:tell:c-1", "agent:ask:c-1"],
  reader: ["agent:ask:c-1"]
}
const Secure = secureLayer({ authorization: { grants } }).pipe(Layer.orDie)
const App = SecureAgents.layer.pipe(Layer.provide(AgentSystem.layer), Layer.provideMerge(Secure))

const as = (agent: string) =>
  Effect.gen(function* () {
    const token = yield* Effect.orDie((yield* Tokens).issue(agent))
    return (yield* SecureMode).actAs(token)
  })

const denials = Effect.gen(function* () {
  const records = yield* (yield* AuditLog).records
  return records
    .filter((r) => r.type === "security.unauthorized")
    .map((r) => [r.agent, (r.detail as { capability: string }).capability])
})

describe("agent system in secure mode", () => {
  it.effect("spawn, tell, ask and stop need the caller's capability; a refusal changes nothing and is audited", () =>
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const alice = yield* as("alice")
      const mallory = yield* as("mallory")
      const reader = yield* as("reader")
      const boss = yield* as("boss")

      assert.instanceOf(yield* Effect.flip(mallory(agents.spawn(Counter, { id: "m-1" }))), Unauthorized)
      assert.instanceOf(yield* Effect.flip(agents.spawn(Counter, { id: "anon-1" })), Unauthorized)
      assert.strictEqual(agents.size(), 0)

      const counter = yield* alice(agents.spawn(Counter, { id: "c-1" }))
      yield* alice(counter.tell(Increment.make({ by: 5 })))
      const attacks: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
        mallory(counter.tell(Increment.make({ by: 100 }))),
        reader(counter.tell(Increment.make({ by: 100 }))),
        counter.tell(Increment.make({ by: 100 })),
        (yield* SecureMode).actAs("v1.0.e30.forged")(counter.tell(Increment.make({ by: 100 }))),
        mallory(counter.ask(Get.make({}))),
        mallory(agents.stop(counter)),
        alice(agents.stop(counter))
      ]
      for (const attack of attacks) assert.instanceOf(yield* Effect.flip(attack), Unauthorized)
      // A ref found by lookup is checked the same way; tellUnsafe has no proven caller and refuses.
      const found = Option.getOrThrow(agents.lookup("c-1"))
      assert.instanceOf(yield* Effect.flip(mallory(found.tell(Increment.make({ by: 100 })))), Unauthorized)
      assert.isFalse(counter.tellUnsafe(Increment.make({ by: 100 })))
      assert.isFalse(found.tellUnsafe(Increment.make({ by: 100 })))

      assert.strictEqual(yield* reader(counter.ask(Get.make({}))), 5)
      assert.strictEqual(yield* alice(found.ask(Get.make({}))), 5)
      // A grant taken back is refused at once, even on the hot path of a token just used.
      yield* Effect.orDie((yield* Authorization).revoke("reader", "agent:ask:c-1"))
      assert.instanceOf(yield* Effect.flip(reader(counter.ask(Get.make({})))), Unauthorized)
      assert.isTrue(counter.isAlive())

      yield* boss(agents.stop(counter))
      assert.isFalse(counter.isAlive())
      assert.strictEqual(agents.size(), 0)

      yield* TestClock.adjust(1)
      const audited = yield* denials
      assert.deepStrictEqual(audited.slice(0, 2), [
        ["mallory", "agent:spawn"],
        ["anonymous", "agent:spawn"]
      ])
      assert.includeDeepMembers(audited, [
        ["mallory", "agent:tell:c-1"],
        ["reader", "agent:tell:c-1"],
        ["anonymous", "agent:tell:c-1"],
        ["mallory", "agent:ask:c-1"],
        ["mallory", "agent:stop:c-1"],
        ["alice", "agent:stop:c-1"],
        ["reader", "agent:ask:c-1"]
      ])
      // Both refused tellUnsafe calls are audited (asynchronously, by the system's own fiber).
      assert.strictEqual(
        audited.filter(([agent, capability]) => agent === "anonymous" && capability === "agent:tell:c-1").length,
        4
      )
      assert.isAbove(yield* (yield* AuditLog).verify, 0)
    }).pipe(Effect.provide(App))
  )

  it.effect("the supervisors and link are checked too: the raw system is not reachable around the checks", () =>
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const alice = yield* as("alice")
      const boss = yield* as("boss")
      const counter = yield* alice(agents.spawn(Counter, { id: "c-2" }))
      const other = yield* alice(agents.spawn(Counter, { id: "c-3" }))
      const group = Option.getOrThrow(agents.group("counter"))
      for (const supervisor of [group, ...(yield* agents.supervisors)]) {
        const exit = yield* Effect.exit(alice(supervisor.stopChild("c-2")))
        assert.isTrue(Exit.isFailure(exit) && Exit.hasDies(exit), `${supervisor.name} let alice stop c-2`)
      }
      // Spawning under one of the system's supervisors needs agent:supervise as well, typed.
      assert.instanceOf(
        yield* Effect.flip(alice(agents.spawn(Counter, { id: "c-4", supervisor: group }))),
        Unauthorized
      )
      const placed = yield* boss(agents.spawn(Counter, { id: "c-5", supervisor: group }))
      assert.isTrue(placed.isAlive())
      yield* boss(agents.stop(placed))
      const linked = yield* Effect.exit(alice(agents.link(counter, other)))
      assert.isTrue(Exit.isFailure(linked) && Exit.hasDies(linked))
      assert.isTrue(counter.isAlive())
      assert.strictEqual(agents.size(), 2)
      // With the capability the same calls go through.
      yield* boss(agents.link(counter, other))
      yield* Effect.orDie(boss(group.stopChild("c-2")))
      assert.isFalse(counter.isAlive())
      assert.isAbove(yield* (yield* AuditLog).verify, 0)
    }).pipe(Effect.provide(App))
  )
})
