import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Random } from "effect"
import { AgentSystem } from "../../src/agent/index.ts"
import { Router } from "../../src/placement/index.ts"
import { Done, Job, settle, withCapabilities, withSystem, Worker, type WorkerMessage } from "./fixtures.ts"

describe("Router", () => {
  it.effect("round-robin spreads messages over the registry selection in turn", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const workers = [yield* system.spawn(Worker), yield* system.spawn(Worker), yield* system.spawn(Worker)]
        yield* settle
        const router = yield* Router.make<typeof WorkerMessage.Type>({
          strategy: "round-robin",
          selector: { name: "worker" }
        })
        const chosen = []
        for (let i = 0; i < 6; i++) chosen.push((yield* router.tell(Job.make({ millis: 0 }))).id)
        assert.deepStrictEqual(chosen, [...workers.map((w) => w.id), ...workers.map((w) => w.id)])
        for (const worker of workers) assert.strictEqual(yield* worker.ask(Done.make({})), 2)
        const typed: number = yield* (yield* router.route).ask(Done.make({}))
        assert.strictEqual(typed, 2)
      })
    )
  )

  it.effect("least-loaded routes to the agent with the shortest live mailbox", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const busy = yield* system.spawn(Worker, { id: "busy" })
        const idle = yield* system.spawn(Worker, { id: "idle" })
        yield* settle
        yield* busy.tell(Job.make({ millis: 5_000 }))
        yield* settle
        yield* busy.tell(Job.make({ millis: 0 }))
        const router = yield* Router.make({ strategy: "least-loaded" })
        assert.strictEqual((yield* router.route).id, idle.id)
        for (let i = 0; i < 3; i++) yield* idle.tell(Job.make({ millis: 0 }))
        assert.deepStrictEqual([busy.mailboxSize(), idle.mailboxSize()], [1, 3])
        assert.strictEqual(Option.getOrThrow(router.pick([idle, busy])).id, "busy")
        assert.strictEqual((yield* router.route).id, "busy")
      })
    )
  )

  it.effect("random and power-of-two replay under the same seed", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        for (let i = 0; i < 5; i++) yield* system.spawn(Worker)
        yield* settle
        const run = (strategy: "random" | "power-of-two", seed: string) =>
          Effect.gen(function* () {
            const router = yield* Router.make({ strategy })
            const ids: Array<string> = []
            for (let i = 0; i < 20; i++) ids.push((yield* router.route).id)
            return ids
          }).pipe(Random.withSeed(seed))
        assert.deepStrictEqual(yield* run("random", "a"), yield* run("random", "a"))
        assert.notDeepEqual(yield* run("random", "a"), yield* run("random", "b"))
        assert.deepStrictEqual(yield* run("power-of-two", "a"), yield* run("power-of-two", "a"))
        assert.isTrue(new Set(yield* run("random", "a")).size > 1)
      })
    )
  )

  it.effect("capability match requires every capability and prefers the specialist", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        yield* system.spawn(withCapabilities("generalist", ["render", "encode", "upload"]), { id: "generalist" })
        yield* system.spawn(withCapabilities("renderer", ["render"]), { id: "renderer" })
        yield* system.spawn(withCapabilities("render-encoder", ["render", "encode"]), { id: "render-encoder" })
        yield* settle
        const render = yield* Router.make({ strategy: "capability-match", capabilities: ["render"] })
        assert.strictEqual((yield* render.route).id, "renderer")
        const both = yield* Router.make({ strategy: "capability-match", capabilities: ["render", "encode"] })
        assert.deepStrictEqual((yield* both.candidates).map((r) => r.id).sort(), ["generalist", "render-encoder"])
        assert.strictEqual((yield* both.route).id, "render-encoder")
      })
    )
  )

  it.effect("fails with NoEligibleAgent when nothing running matches, and skips stopped agents", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const only = yield* system.spawn(withCapabilities("gpu", ["gpu"]))
        yield* settle
        const router = yield* Router.make({ strategy: "least-loaded", capabilities: ["gpu"] })
        assert.strictEqual((yield* router.route).id, only.id)
        yield* system.stop(only)
        yield* settle
        const error = yield* Effect.flip(router.tell(Job.make({ millis: 0 })))
        assert.strictEqual(error._tag, "NoEligibleAgent")
        assert.strictEqual(error.message, `no running agent matches {"capabilities":["gpu"]} (strategy least-loaded)`)
        assert.isTrue(Option.isNone(router.pick([])))
      })
    )
  )

  it.effect("rejects an unknown strategy with InvalidInput", () =>
    withSystem(
      Effect.gen(function* () {
        const error = yield* Effect.flip(Router.make({ strategy: "fastest" as never }))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.match(error.message, /^Router\.make: invalid input: /)
      })
    )
  )
})

describe("Router.makeCached", () => {
  it.effect("keeps the selection until the registry changes, then sees new and stopped agents", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const first = yield* system.spawn(Worker, { id: "first" })
        yield* settle
        const router = yield* Router.makeCached({ strategy: "round-robin", selector: { name: "worker" } })
        assert.deepStrictEqual([(yield* router.route).id, (yield* router.route).id], ["first", "first"])
        yield* system.spawn(Worker, { id: "second" })
        yield* settle
        const seen = new Set([(yield* router.route).id, (yield* router.route).id])
        assert.deepStrictEqual([...seen].sort(), ["first", "second"])
        yield* system.stop(first)
        for (let i = 0; i < 4; i++)
          assert.strictEqual((yield* router.route).id, "second", "a stopped agent is never chosen")
        yield* settle
        assert.strictEqual((yield* router.route).id, "second")
      })
    )
  )

  it.effect("fails with NoEligibleAgent once the last agent stops", () =>
    withSystem(
      Effect.gen(function* () {
        const system = yield* AgentSystem
        const only = yield* system.spawn(Worker)
        yield* settle
        const router = yield* Router.makeCached({ strategy: "least-loaded" })
        yield* router.route
        yield* system.stop(only)
        assert.strictEqual((yield* Effect.flip(router.route))._tag, "NoEligibleAgent")
      })
    )
  )
})
