/**
 * A live Raft replica of the coordination service opens a `mabeam.raft.commit` span for each step
 * that advances its commit index (propose groups and the Raft-replicated lock alike), with the
 * new index, its term and how many entries the step committed.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Random, type Scope, type Tracer } from "effect"
import { TestClock } from "effect/testing"
import { Coordination } from "../../src/coordination/index.ts"
import { Transport } from "../../src/transport/index.ts"
import { recording } from "./recording.ts"

const drive = <A, E>(body: Effect.Effect<A, E, Scope.Scope | Coordination>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(Effect.scoped(body))
    for (let t = 0; t < 20_000 && fiber.pollUnsafe() === undefined; t += 10) yield* TestClock.adjust(10)
    return yield* Fiber.join(fiber)
  })

const attribute = (span: Tracer.NativeSpan, key: string) => span.attributes.get(`mabeam.raft.${key}`)

/** Per member of `group`, its commit spans: indexes strictly increase and entries add up to the last index. */
const checkCommits = (spans: ReadonlyArray<Tracer.NativeSpan>, group: string) => {
  const ofGroup = spans.filter((s) => s.name === "mabeam.raft.commit" && attribute(s, "group") === group)
  assert.isAbove(ofGroup.length, 0, `commit spans of ${group}`)
  const members = new Set(ofGroup.map((s) => attribute(s, "member")))
  for (const member of members) {
    const commits = ofGroup.filter((s) => attribute(s, "member") === member)
    let last = 0
    for (const span of commits) {
      const index = attribute(span, "index") as number
      const entries = attribute(span, "entries") as number
      assert.isAbove(entries, 0)
      assert.strictEqual(index, last + entries, `${member}: a commit takes the index from ${last} by its entries`)
      assert.isAbove(attribute(span, "term") as number, 0)
      assert.strictEqual(span.status._tag, "Ended")
      last = index
    }
  }
  return { members, ofGroup }
}

describe("Raft commit spans", () => {
  it.effect("a propose group's replicas each trace their commits; a replicated lock's replicas too", () => {
    const { spans, tracer } = recording()
    return Effect.gen(function* () {
      const decided = yield* drive(
        Effect.gen(function* () {
          const c = yield* Coordination
          yield* c.lock("jobs", { ttl: 1_000 })
          return yield* c.propose("colour", "blue")
        })
      )
      assert.strictEqual(decided, "blue")
      const propose = checkCommits(spans, "propose/colour")
      assert.isAtLeast(propose.members.size, 2, "a majority of replicas committed")
      // The proposal itself is committed: some replica's commit reaches an index past the leader's no-op.
      assert.isTrue(propose.ofGroup.some((s) => (attribute(s, "index") as number) >= 2))
      checkCommits(spans, "lock")
    }).pipe(
      Effect.provide(Coordination.layerWith({ lock: "raft" }).pipe(Layer.provide(Transport.layerLocal()))),
      Effect.withTracer(tracer),
      Random.withSeed(7)
    )
  })
})
