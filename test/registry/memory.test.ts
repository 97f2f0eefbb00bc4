import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Option, Scope, Stream } from "effect"
import { MemoryBackend, Registry, RegistryBackend } from "../../src/registry/index.ts"
import { runConformance } from "./conformance.ts"

runConformance("memory", MemoryBackend.layer)
runConformance("memory, only `node` indexed", MemoryBackend.layerWith({ indexed: ["node"] }))

describe("MemoryBackend", () => {
  it.effect("a subscriber that falls behind its buffer fails with ChangesLagged after what it buffered", () =>
    Effect.gen(function* () {
      const registry = yield* Registry
      const changes = yield* registry.subscribe
      for (const key of ["a", "b", "c"]) yield* registry.register(key, 1)
      const exit = yield* Effect.exit(Stream.runCollect(changes))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(Stream.runCollect(changes))
      assert.strictEqual(error._tag, "ChangesLagged")
      assert.strictEqual(error.message, `a change subscriber of namespace "default" fell more than 2 events behind`)
      // A lagging reader never blocks the writer: the registry holds all three entries.
      assert.strictEqual(yield* registry.count, 3)
    }).pipe(Effect.provide(Registry.layerWith({ backend: MemoryBackend.layerWith({ changesCapacity: 2 }) })))
  )

  it.effect("change streams end when the backend's scope closes", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(Registry.layer, scope)
      const registry = Context.get(context, Registry)
      const changes = yield* registry.subscribe
      const entry = yield* registry.registerDurable("k", 1)
      yield* Scope.close(scope, Exit.void)
      assert.deepStrictEqual(yield* Stream.runCollect(changes), [{ _tag: "Registered", entry }])
    })
  )

  it.effect("the synchronous fast paths agree with the effects", () =>
    Effect.gen(function* () {
      const backend = yield* MemoryBackend.make()
      const entry = yield* backend.register("ns", { key: "k", value: 1, metadata: { node: "a" }, durable: true })
      assert.strictEqual(backend.lookupUnsafe("ns", "k"), entry)
      assert.isUndefined(backend.lookupUnsafe("other", "k"))
      assert.deepStrictEqual(backend.selectUnsafe("ns", { node: "a" }), [entry])
      assert.deepStrictEqual(yield* backend.lookup("ns", "k"), Option.some(entry))
    })
  )

  it.effect("an entry keeps its own copy of the metadata", () =>
    Effect.gen(function* () {
      const registry = yield* Registry
      const capabilities = ["auction"]
      yield* registry.register("k", 1, { capabilities })
      capabilities.push("plan")
      assert.deepStrictEqual((yield* registry.select({ capabilities: "plan" })).length, 0)
      assert.deepStrictEqual(Option.getOrThrow(yield* registry.lookup("k")).metadata, { capabilities: ["auction"] })
    }).pipe(Effect.provide(Registry.layer))
  )
})

describe("Registry layers", () => {
  it.effect("layerWith binds a namespace over a shared backend", () =>
    Effect.gen(function* () {
      const shared = yield* Layer.build(MemoryBackend.layer)
      const a = yield* Effect.provide(
        Registry.useSync((r) => r),
        Registry.layerWith({ namespace: "a" }).pipe(Layer.provide(Layer.succeedContext(shared)))
      )
      const b = yield* Effect.provide(
        Registry.useSync((r) => r),
        Registry.layerWith({ namespace: "b" }).pipe(Layer.provide(Layer.succeedContext(shared)))
      )
      yield* a.registerDurable("k", "a")
      assert.strictEqual(a.namespace, "a")
      assert.isTrue(Option.isNone(yield* b.lookup("k")))
      const backend = Context.get(shared, RegistryBackend)
      assert.strictEqual(yield* backend.count("a"), 1)
    })
  )

  it.effect("layerWith rejects an invalid namespace", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(Registry.layerWith({ namespace: "", backend: MemoryBackend.layer })))
      assert.strictEqual(error._tag, "InvalidInput")
    })
  )
})
