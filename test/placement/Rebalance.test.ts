import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option, Schema, Scope } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { plan, rebalance, Router } from "../../src/placement/index.ts"
import { Registry } from "../../src/registry/index.ts"
import { Supervisor } from "../../src/supervision/index.ts"
import { Done, Job, settle, withSystem, Worker } from "./fixtures.ts"

const Places = Schema.Array(
  Schema.Array(Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 20 }))).check(Schema.isMaxLength(12))
).check(Schema.isMinLength(2), Schema.isMaxLength(5))

const loadsOf = (places: ReadonlyArray<ReadonlyArray<number>>) =>
  places.map((agents, p) => ({ place: `p${p}`, agents: agents.map((load, i) => ({ id: `p${p}-a${i}`, load })) }))

describe("plan", () => {
  it.prop(
    "conserves load, lowers the sum of squared loads with every move, and levels to within one agent",
    [Places],
    ([places]) => {
      const input = loadsOf(places)
      const load = new Map(input.map((p) => [p.place, p.agents.reduce((s, a) => s + 1 + a.load, 0)]))
      const total = [...load.values()].reduce((a, b) => a + b, 0)
      const squares = () => [...load.values()].reduce((s, l) => s + l * l, 0)
      const moves = plan(input, 1_000)
      for (const move of moves) {
        const before = squares()
        load.set(move.from, load.get(move.from)! - move.weight)
        load.set(move.to, load.get(move.to)! + move.weight)
        assert.isTrue(squares() < before)
      }
      assert.strictEqual(
        [...load.values()].reduce((a, b) => a + b, 0),
        total
      )
      const heaviest = Math.max(1, ...places.flat().map((l) => l + 1))
      assert.isTrue(Math.max(...load.values()) - Math.min(...load.values()) <= heaviest)
    }
  )

  it("plans nothing when the places are level, and respects maxMoves", () => {
    assert.deepStrictEqual(plan(loadsOf([[0], [0]]), 10), [])
    assert.strictEqual(plan(loadsOf([[0, 0, 0, 0, 0, 0], []]), 2).length, 2)
  })
})

describe("rebalance", () => {
  it.effect("moves agents from a crowded supervisor to an idle one; they keep their ids and registry entries", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const registry = yield* Registry
        const crowded = yield* Supervisor.make({ name: "crowded", intensity: { maxRestarts: 10, within: "1 minute" } })
        const idle = yield* Supervisor.make({ name: "idle", intensity: { maxRestarts: 10, within: "1 minute" } })
        for (let i = 0; i < 6; i++) yield* system.spawn(Worker, { id: `w${i}`, supervisor: crowded })
        yield* settle
        const moves = yield* rebalance([crowded, idle], Worker)
        assert.strictEqual(moves.length, 3)
        for (const move of moves) assert.deepStrictEqual([move.from, move.to], ["crowded", "idle"])
        yield* settle
        assert.strictEqual((yield* crowded.children).length, 3)
        assert.deepStrictEqual((yield* idle.children).map((c) => c.id).sort(), moves.map((m) => m.agent).sort())
        const moved = moves[0]!.agent
        assert.isTrue(Option.isSome(yield* registry.lookup(moved)))
        const router = yield* Router.make({ strategy: "round-robin", selector: { name: "worker" } })
        assert.strictEqual((yield* router.candidates).length, 6)
        const ref = Option.getOrThrow(system.lookup(moved))
        yield* ref.tell(Job.make({ millis: 0 }))
        assert.strictEqual(yield* ref.ask(Done.make({}) as never), 1)
        assert.deepStrictEqual(yield* rebalance([crowded, idle], Worker), [], "already level")
      })
    )
  )

  it.effect("queued work counts: the supervisor holding the long queues gives agents away", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const a = yield* Supervisor.make({ name: "a" })
        const b = yield* Supervisor.make({ name: "b" })
        const loaded = yield* system.spawn(Worker, { id: "loaded", supervisor: a })
        yield* system.spawn(Worker, { id: "light-1", supervisor: a })
        yield* system.spawn(Worker, { id: "light-2", supervisor: b })
        yield* system.spawn(Worker, { id: "light-3", supervisor: b })
        yield* settle
        yield* loaded.tell(Job.make({ millis: 100 }))
        yield* settle
        for (let i = 0; i < 4; i++) yield* loaded.tell(Job.make({ millis: 0 }))
        assert.strictEqual(loaded.mailboxSize(), 4)
        const moves = yield* rebalance([a, b], Worker)
        assert.deepStrictEqual(moves, [{ agent: "light-1", from: "a", to: "b", weight: 1 }])
        assert.deepStrictEqual(
          (yield* b.children).map((c) => c.id),
          ["light-2", "light-3", "light-1"]
        )
      })
    )
  )

  it.effect("fails with MoveFailed when the target supervisor has stopped, and with InvalidInput for one place", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const crowded = yield* Supervisor.make({ name: "crowded" })
        const scope = yield* Scope.make()
        const gone = yield* Supervisor.make({ name: "gone" }).pipe(Scope.provide(scope))
        yield* Scope.close(scope, Exit.void)
        yield* system.spawn(Worker, { id: "x1", supervisor: crowded })
        yield* system.spawn(Worker, { id: "x2", supervisor: crowded })
        yield* settle
        const error = yield* Effect.flip(rebalance([crowded, gone], Worker))
        assert.strictEqual(error._tag, "MoveFailed")
        assert.match(error.message, /^agent "x\d" was stopped but could not be respawned under "gone": /)
        const invalid = yield* Effect.flip(rebalance([crowded], Worker))
        assert.strictEqual(invalid._tag, "InvalidInput")
        const badMoves = yield* Effect.flip(rebalance([crowded, crowded], Worker, { maxMoves: 0 }))
        assert.strictEqual(badMoves._tag, "InvalidInput")
      })
    )
  )
})
