/**
 * Attacks on the cluster's client entry points in secure mode (issue 29): refs from a checked
 * directory (`SecureCluster.directory`) or a checked client (`SecureCluster.client`) refuse a caller
 * without `agent:tell:<id>` / `agent:ask:<id>`; nothing reaches the agent (its count is intact) and
 * the refusal is audited. The same program runs on local and cluster agents.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { Agents } from "../../src/cluster/index.ts"
import { AuditLog, SecureCluster, SecureMode, secureLayer, Tokens, Unauthorized } from "../../src/security/index.ts"
import { ClusterCounter, Counter, Get, Increment, testCluster } from "../cluster/fixtures.ts"

const Counters = Agents.key<typeof Counter.messages.Type>("counters")
const Secure = secureLayer({
  authorization: { grants: { alice: ["agent:tell:a", "agent:ask:a"], reader: ["agent:ask:a"] } }
}).pipe(Layer.orDie)

const as = (agent: string) =>
  Effect.gen(function* () {
    const token = yield* Effect.orDie((yield* Tokens).issue(agent))
    return (yield* SecureMode).actAs(token)
  })

/** Attacks a ref of agent "a", then checks that only alice's message arrived. */
const attack = (ref: Agents.Ref<typeof Counter.messages.Type>) =>
  Effect.gen(function* () {
    const alice = yield* as("alice")
    const mallory = yield* as("mallory")
    const reader = yield* as("reader")
    yield* alice(ref.tell(Increment.make({ by: 2 })))
    for (const refused of [
      mallory(ref.tell(Increment.make({ by: 100 }))),
      reader(ref.tell(Increment.make({ by: 100 }))),
      ref.tell(Increment.make({ by: 100 })),
      mallory(ref.ask(Get.make({})))
    ])
      assert.instanceOf(yield* Effect.flip(refused), Unauthorized)
    assert.strictEqual(yield* reader(ref.ask(Get.make({}))), 2)
    const denied = (yield* (yield* AuditLog).records).filter((r) => r.type === "security.unauthorized")
    assert.deepStrictEqual(
      denied.map((r) => [r.agent, (r.detail as { capability: string }).capability]),
      [
        ["mallory", "agent:tell:a"],
        ["reader", "agent:tell:a"],
        ["anonymous", "agent:tell:a"],
        ["mallory", "agent:ask:a"]
      ]
    )
  })

describe("cluster client entry points in secure mode", () => {
  it.effect("a checked directory over local agents refuses callers without the capability", () =>
    Effect.gen(function* () {
      yield* attack(yield* (yield* Counters).ref("a"))
    }).pipe(
      Effect.provide(
        SecureCluster.directory(Counters).pipe(
          Layer.provide(Agents.local(Counters, Counter).pipe(Layer.provide(AgentSystem.layer))),
          Layer.provideMerge(Secure)
        )
      )
    )
  )

  it.live("a checked directory and a checked client over cluster agents refuse them too", () =>
    Effect.gen(function* () {
      yield* attack(yield* (yield* Counters).ref("a"))
      const refs = yield* SecureCluster.client(ClusterCounter())
      const mallory = yield* as("mallory")
      assert.instanceOf(yield* Effect.flip(mallory(refs("a").tell(Increment.make({ by: 100 })))), Unauthorized)
      assert.strictEqual(yield* (yield* as("alice"))(refs("a").ask(Get.make({}))), 2)
    }).pipe(
      Effect.provide(
        SecureCluster.directory(Counters).pipe(
          Layer.provide(Agents.cluster(Counters, ClusterCounter())),
          Layer.provideMerge(ClusterCounter().layer),
          Layer.provideMerge(testCluster()),
          Layer.provideMerge(Secure)
        )
      )
    )
  )
})
