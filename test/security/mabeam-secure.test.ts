/**
 * `Mabeam.layer({ security })` (issue 29): one option turns secure mode on for what the composition
 * root builds. The agent system in the app is the checked one, the registry checks ownership, and
 * denials are audited to the event store; without the option nothing checks a caller.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import { Registry } from "../../src/registry/index.ts"
import { Mabeam, MabeamTest } from "../../src/runtime/index.ts"
import { AuditLog, Capabilities, SecureMode, Tokens, Unauthorized } from "../../src/security/index.ts"
import { Counter, Get, Increment } from "../agent/fixtures.ts"
import { auditKey } from "./fixtures.ts"

const security = {
  authorization: { grants: { alice: [Capabilities.spawn, Capabilities.tell("c-1"), Capabilities.ask("c-1")] } },
  audit: { key: auditKey }
}

const as = (agent: string) =>
  Effect.gen(function* () {
    const token = yield* Effect.orDie((yield* Tokens).issue(agent))
    return (yield* SecureMode).actAs(token)
  })

describe("Mabeam.layer({ security })", () => {
  it.effect("turns the checks on for agents and registry, and persists the denials", () =>
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const registry = yield* Registry
      const alice = yield* as("alice")
      const mallory = yield* as("mallory")
      assert.instanceOf(yield* Effect.flip(agents.spawn(Counter, { id: "x" })), Unauthorized)
      assert.instanceOf(yield* Effect.flip(mallory(agents.spawn(Counter, { id: "x" }))), Unauthorized)
      const counter = yield* alice(agents.spawn(Counter, { id: "c-1" }))
      yield* alice(counter.tell(Increment.make({ by: 3 })))
      assert.instanceOf(yield* Effect.flip(mallory(counter.tell(Increment.make({ by: 100 })))), Unauthorized)
      // The agent's name belongs to whoever spawned it: mallory cannot take it over.
      const entry = yield* registry.lookup("c-1")
      assert.isTrue(Option.isSome(entry))
      assert.instanceOf(yield* Effect.flip(mallory(registry.unregister("c-1"))), Unauthorized)
      assert.deepStrictEqual(yield* registry.lookup("c-1"), entry)
      assert.strictEqual(yield* alice(counter.ask(Get.make({}))), 3)
      const audit = yield* AuditLog
      const denied = (yield* audit.records).filter((r) => r.type === "security.unauthorized").map((r) => r.agent)
      assert.deepStrictEqual(denied, ["anonymous", "mallory", "mallory", "mallory"])
      assert.strictEqual(yield* audit.verifyStored, (yield* audit.records).length)
    }).pipe(Effect.provide(Mabeam.layer({ env: {}, security })))
  )

  it.effect("without it, any caller spawns, tells and unregisters (what the README says is unprotected)", () =>
    Effect.gen(function* () {
      const agents = yield* AgentSystem
      const counter = yield* agents.spawn(Counter, { id: "c-1" })
      yield* counter.tell(Increment.make({ by: 3 }))
      assert.isTrue(yield* (yield* Registry).unregister("c-1"))
      assert.strictEqual(yield* counter.ask(Get.make({})), 3)
    }).pipe(Effect.provide(Mabeam.layer({ env: {} })))
  )
})

describe("MabeamTest.layer({ seed, security })", () => {
  it.effect(
    "is secure mode on the TestClock: denials are typed and audited, and tokens expire when the clock moves",
    () =>
      Effect.gen(function* () {
        const agents = yield* AgentSystem
        const registry = yield* Registry
        const alice = yield* as("alice")
        const mallory = yield* as("mallory")
        const counter = yield* alice(agents.spawn(Counter, { id: "c-1" }))
        yield* alice(counter.tell(Increment.make({ by: 3 })))
        assert.instanceOf(yield* Effect.flip(mallory(counter.tell(Increment.make({ by: 100 })))), Unauthorized)
        assert.instanceOf(yield* Effect.flip(mallory(registry.unregister("c-1"))), Unauthorized)
        assert.isTrue(Option.isSome(yield* registry.lookup("c-1")))
        // Simulated time: one minute later alice's token (ttl 60 s) has expired and proves nothing.
        yield* TestClock.adjust("61 seconds")
        const denied = yield* Effect.flip(alice(counter.tell(Increment.make({ by: 10 }))))
        assert.instanceOf(denied, Unauthorized)
        assert.strictEqual(denied.agent, "anonymous")
        const fresh = yield* as("alice")
        assert.strictEqual(yield* fresh(counter.ask(Get.make({}))), 3)
        const audit = yield* AuditLog
        const records = yield* audit.records
        assert.deepStrictEqual(
          records.filter((r) => r.type === "security.unauthorized").map((r) => r.agent),
          ["mallory", "mallory", "anonymous"]
        )
        assert.strictEqual(yield* audit.verifyStored, records.length)
      }).pipe(Effect.provide(MabeamTest.layer({ seed: 7, security: { ...security, tokens: { ttlMillis: 60_000 } } })))
  )
})
