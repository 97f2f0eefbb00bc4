/**
 * The registry conformance suite: every backend runs these tests unchanged, through the public
 * `Registry` service. `runConformance("memory", layer)` registers them in a `describe` block;
 * `layer` must build a fresh, empty backend each time it is provided.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Latch, type Layer, Option, Schema, Scope, Stream } from "effect"
import {
  type Entry,
  type Metadata,
  Registry,
  type RegistryBackend,
  type RegistryShape,
  type Selector
} from "../../src/registry/index.ts"

const makeRegistry = (namespace?: string) => Registry.make(namespace === undefined ? {} : { namespace })
const sortedKeys = (entries: ReadonlyArray<Entry>) => entries.map((e) => e.key).sort()
const addr = (id: string) => ({ node: "local", id })

/** Registers the conformance tests for one backend. */
export const runConformance = (name: string, backend: Layer.Layer<RegistryBackend, unknown>) =>
  describe(`Registry conformance: ${name}`, () => {
    const test = <A, E>(
      title: string,
      body: (registry: RegistryShape) => Effect.Effect<A, E, Scope.Scope | RegistryBackend>
    ) => it.effect(title, () => Effect.flatMap(makeRegistry(), body).pipe(Effect.provide(backend)))

    describe("register and lookup", () => {
      test("a registered entry can be looked up, counted and listed", (registry) =>
        Effect.gen(function* () {
          const entry = yield* registry.register("planner-1", addr("agent-1"), { node: "a", capabilities: ["plan"] })
          assert.deepStrictEqual(entry.key, "planner-1")
          assert.isFalse(entry.durable)
          const found = yield* registry.lookup("planner-1")
          assert.deepStrictEqual(Option.getOrThrow(found), entry)
          assert.deepStrictEqual(entry.value, addr("agent-1"))
          assert.deepStrictEqual(entry.metadata, { node: "a", capabilities: ["plan"] })
          assert.isTrue(Option.isNone(yield* registry.lookup("planner-2")))
          yield* registry.register("alpha", null)
          assert.strictEqual(yield* registry.count, 2)
          assert.deepStrictEqual(yield* registry.keys, ["alpha", "planner-1"])
        }))

      test("registering a held key fails with AlreadyRegistered and changes nothing", (registry) =>
        Effect.gen(function* () {
          const first = yield* registry.register("k", addr("1"), { node: "a" })
          const error = yield* Effect.flip(registry.register("k", addr("2"), { node: "b" }))
          assert.strictEqual(error._tag, "AlreadyRegistered")
          assert.strictEqual(error.message, `key "k" is already registered in namespace "default"`)
          const durableError = yield* Effect.flip(registry.registerDurable("k", addr("3")))
          assert.strictEqual(durableError._tag, "AlreadyRegistered")
          assert.deepStrictEqual(yield* registry.lookup("k"), Option.some(first))
          assert.strictEqual(yield* registry.count, 1)
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ node: "b" })), [])
        }))

      test("exactly one of 1000 concurrent registers of one key wins", (registry) =>
        Effect.gen(function* () {
          const results = yield* Effect.forEach(
            Array.from({ length: 1000 }, (_, i) => i),
            (i) => Effect.result(registry.register("contested", i, { n: i })),
            { concurrency: "unbounded" }
          )
          const winners = results.filter((r) => r._tag === "Success")
          const losers = results.filter((r) => r._tag === "Failure")
          assert.strictEqual(winners.length, 1)
          assert.strictEqual(losers.length, 999)
          for (const l of losers) assert.strictEqual(l._tag === "Failure" && l.failure._tag, "AlreadyRegistered")
          const winner = winners[0]
          const stored = Option.getOrThrow(yield* registry.lookup("contested"))
          assert.deepStrictEqual(winner?._tag === "Success" ? winner.success : undefined, stored)
          assert.strictEqual(yield* registry.count, 1)
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ n: stored.value as number })), ["contested"])
        }))

      test("1000 concurrent registers of distinct keys all succeed with distinct ids", (registry) =>
        Effect.gen(function* () {
          const entries = yield* Effect.forEach(
            Array.from({ length: 1000 }, (_, i) => i),
            (i) => registry.register(`k${i}`, i, { even: i % 2 === 0 }),
            { concurrency: "unbounded" }
          )
          assert.strictEqual(new Set(entries.map((e) => e.id)).size, 1000)
          assert.strictEqual(yield* registry.count, 1000)
          assert.strictEqual((yield* registry.select({ even: true })).length, 500)
        }))

      test("unregister removes an entry and reports whether there was one", (registry) =>
        Effect.gen(function* () {
          yield* registry.register("k", 1, { node: "a" })
          assert.isTrue(yield* registry.unregister("k"))
          assert.isFalse(yield* registry.unregister("k"))
          assert.isTrue(Option.isNone(yield* registry.lookup("k")))
          assert.deepStrictEqual(yield* registry.select({ node: "a" }), [])
          assert.strictEqual(yield* registry.count, 0)
          yield* registry.register("k", 2)
          assert.strictEqual(Option.getOrThrow(yield* registry.lookup("k")).value, 2)
        }))

      test("update replaces the metadata and keeps the value; a missing key fails with NotRegistered", (registry) =>
        Effect.gen(function* () {
          const before = yield* registry.register("k", addr("1"), { node: "a", capabilities: ["auction"] })
          const after = yield* registry.update("k", { node: "b", tags: ["x"] })
          assert.deepStrictEqual(after, { ...before, metadata: { node: "b", tags: ["x"] } })
          assert.deepStrictEqual(yield* registry.lookup("k"), Option.some(after))
          assert.deepStrictEqual(yield* registry.select({ node: "a" }), [])
          assert.deepStrictEqual(yield* registry.select({ capabilities: "auction" }), [])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ tags: "x", node: "b" })), ["k"])
          const error = yield* Effect.flip(registry.update("missing", { node: "a" }))
          assert.strictEqual(error._tag, "NotRegistered")
          assert.strictEqual(error.message, `key "missing" is not registered in namespace "default"`)
          assert.strictEqual(yield* registry.count, 1)
        }))
    })

    describe("ownership", () => {
      test("closing the owning scope removes the entry at once", (registry) =>
        Effect.gen(function* () {
          const scope = yield* Scope.make()
          yield* Scope.provide(registry.register("owned", 1, { node: "a" }), scope)
          assert.isTrue(Option.isSome(yield* registry.lookup("owned")))
          yield* Scope.close(scope, Exit.void)
          assert.isTrue(Option.isNone(yield* registry.lookup("owned")))
          assert.deepStrictEqual(yield* registry.select({ node: "a" }), [])
          assert.strictEqual(yield* registry.count, 0)
        }))

      test("interrupting the owner removes its entries", (registry) =>
        Effect.gen(function* () {
          const registered = yield* Latch.make()
          const owner = yield* Effect.forkChild(
            Effect.scoped(
              Effect.gen(function* () {
                yield* registry.register("a1", 1)
                yield* registry.register("a2", 2)
                yield* registered.open
                return yield* Effect.never
              })
            )
          )
          yield* registered.await
          assert.strictEqual(yield* registry.count, 2)
          const exit = yield* Fiber.interrupt(owner).pipe(Effect.andThen(Fiber.await(owner)))
          assert.isTrue(Exit.hasInterrupts(exit))
          assert.strictEqual(yield* registry.count, 0)
        }))

      test("an owner that crashes loses its entries", (registry) =>
        Effect.gen(function* () {
          const registered = yield* Latch.make()
          const crash = yield* Deferred.make<void>()
          const owner = yield* Effect.forkChild(
            Effect.scoped(
              Effect.gen(function* () {
                yield* registry.register("crasher", 1)
                yield* registered.open
                yield* Deferred.await(crash)
                return yield* Effect.die(new Error("boom"))
              })
            )
          )
          yield* registered.await
          assert.isTrue(Option.isSome(yield* registry.lookup("crasher")))
          yield* Deferred.succeed(crash, undefined)
          const exit = yield* Fiber.await(owner)
          assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
          assert.isTrue(Option.isNone(yield* registry.lookup("crasher")))
        }))

      test("an old owner's scope does not remove a newer registration of the same key", (registry) =>
        Effect.gen(function* () {
          const first = yield* Scope.make()
          const second = yield* Scope.make()
          yield* Scope.provide(registry.register("k", "first"), first)
          yield* registry.unregister("k")
          const current = yield* Scope.provide(registry.register("k", "second"), second)
          yield* Scope.close(first, Exit.void)
          assert.deepStrictEqual(yield* registry.lookup("k"), Option.some(current))
          yield* Scope.close(second, Exit.void)
          assert.isTrue(Option.isNone(yield* registry.lookup("k")))
        }))

      test("a durable entry outlives the scope it was registered in", (registry) =>
        Effect.gen(function* () {
          const entry = yield* Effect.scoped(registry.registerDurable("config", { url: "x" }, { kind: "config" }))
          assert.isTrue(entry.durable)
          assert.deepStrictEqual(yield* registry.lookup("config"), Option.some(entry))
        }))
    })

    describe("namespaces", () => {
      it.effect("a namespace never sees another's entries or changes", () =>
        Effect.gen(function* () {
          const a = yield* makeRegistry("tenant-a")
          const b = yield* makeRegistry("tenant-b")
          const changesB = yield* b.subscribe
          const inA = yield* a.register("shared", "from-a", { node: "a" })
          assert.isTrue(Option.isNone(yield* b.lookup("shared")))
          assert.deepStrictEqual(yield* b.select({ node: "a" }), [])
          assert.deepStrictEqual(yield* b.select({}), [])
          assert.strictEqual(yield* b.count, 0)
          assert.deepStrictEqual(yield* b.keys, [])
          assert.isFalse(yield* b.unregister("shared"))
          assert.strictEqual((yield* Effect.flip(b.update("shared", {})))._tag, "NotRegistered")
          const inB = yield* b.register("shared", "from-b", { node: "a" })
          assert.deepStrictEqual(yield* a.lookup("shared"), Option.some(inA))
          assert.deepStrictEqual(yield* b.lookup("shared"), Option.some(inB))
          const [first] = yield* Stream.runCollect(Stream.take(changesB, 1))
          assert.deepStrictEqual(first, { _tag: "Registered", entry: inB })
          assert.strictEqual(b.namespace, "tenant-b")
        }).pipe(Effect.provide(backend))
      )

      it.effect("an invalid namespace fails with InvalidInput", () =>
        Effect.gen(function* () {
          const error = yield* Effect.flip(makeRegistry(""))
          assert.strictEqual(error._tag, "InvalidInput")
          assert.strictEqual(error.where, "Registry.make")
        }).pipe(Effect.provide(backend))
      )
    })

    describe("select", () => {
      test("matches scalar equality, list membership and their conjunction", (registry) =>
        Effect.gen(function* () {
          yield* registry.register("a1", 1, { node: "a", capabilities: ["auction", "bid"], load: 3, busy: false })
          yield* registry.register("a2", 2, { node: "a", capabilities: ["plan"], load: 1, busy: true })
          yield* registry.register("b1", 3, { node: "b", capabilities: ["auction"], load: 3, busy: false })
          yield* registry.register("c1", 4, { node: "c" })
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ capabilities: "auction" })), ["a1", "b1"])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ node: "a" })), ["a1", "a2"])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ node: "a", capabilities: "auction" })), ["a1"])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ load: 3 })), ["a1", "b1"])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ busy: true })), ["a2"])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ load: "3" })), [])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ node: "z" })), [])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({ missing: "x" })), [])
          assert.deepStrictEqual(sortedKeys(yield* registry.select({})), ["a1", "a2", "b1", "c1"])
        }))
    })

    describe("changes", () => {
      test("the change stream delivers registered, updated and unregistered in order", (registry) =>
        Effect.gen(function* () {
          const changes = yield* registry.subscribe
          const scope = yield* Scope.make()
          const e1 = yield* Scope.provide(registry.register("k1", 1, { node: "a" }), scope)
          const e2 = yield* registry.register("k2", 2)
          const e1b = yield* registry.update("k1", { node: "b" })
          yield* registry.unregister("k2")
          yield* Scope.close(scope, Exit.void)
          const seen = yield* Stream.runCollect(Stream.take(changes, 5))
          assert.deepStrictEqual(seen, [
            { _tag: "Registered", entry: e1 },
            { _tag: "Registered", entry: e2 },
            { _tag: "Updated", entry: e1b, previous: { node: "a" } },
            { _tag: "Unregistered", entry: e2 },
            { _tag: "Unregistered", entry: e1b }
          ])
        }))

      test("`changes` delivers what happens after it starts", (registry) =>
        Effect.gen(function* () {
          const started = yield* Latch.make()
          const reader = yield* Effect.forkChild(
            registry.changes.pipe(Stream.onStart(started.open), Stream.take(2), Stream.runCollect)
          )
          yield* started.await
          yield* Effect.yieldNow
          const e = yield* registry.register("k", 1)
          yield* registry.unregister("k")
          assert.deepStrictEqual(yield* Fiber.join(reader), [
            { _tag: "Registered", entry: e },
            { _tag: "Unregistered", entry: e }
          ])
        }))
    })

    describe("bad input", () => {
      test("bad keys, values, metadata and selectors fail with InvalidInput and change nothing", (registry) =>
        Effect.gen(function* () {
          const changes = yield* registry.subscribe
          yield* registry.register("kept", 1, { node: "a" })
          const bad: ReadonlyArray<
            readonly [string, Effect.Effect<unknown, { readonly _tag: string; readonly where?: string }, Scope.Scope>]
          > = [
            ["Registry.register", registry.register("", 1)],
            ["Registry.register", registry.register("x".repeat(257), 1)],
            ["Registry.register", registry.register(42 as unknown as string, 1)],
            ["Registry.register", registry.register("v", Number.NaN)],
            ["Registry.register", registry.register("v", { f: undefined } as never)],
            ["Registry.register", registry.register("m", 1, { nested: { a: 1 } } as unknown as Metadata)],
            ["Registry.register", registry.register("m", 1, { list: [1, 2] } as unknown as Metadata)],
            ["Registry.register", registry.register("m", 1, { n: Infinity })],
            ["Registry.registerDurable", registry.registerDurable("", 1)],
            ["Registry.unregister", registry.unregister("")],
            ["Registry.lookup", registry.lookup("")],
            ["Registry.update", registry.update("kept", { nested: [1] } as unknown as Metadata)],
            ["Registry.select", registry.select({ capabilities: ["a"] } as unknown as Selector)],
            ["Registry.select", registry.select(null as unknown as Selector)]
          ]
          for (const [where, op] of bad) {
            const error = yield* Effect.flip(op)
            assert.strictEqual(error._tag, "InvalidInput")
            assert.strictEqual(error.where, where)
          }
          assert.strictEqual(yield* registry.count, 1)
          assert.deepStrictEqual(yield* registry.keys, ["kept"])
          assert.deepStrictEqual(Option.getOrThrow(yield* registry.lookup("kept")).metadata, { node: "a" })
          const marker = yield* registry.register("marker", 0)
          const seen = yield* Stream.runCollect(Stream.take(changes, 2))
          assert.deepStrictEqual(seen[1], { _tag: "Registered", entry: marker })
        }))
    })

    describe("model", () => {
      const Key = Schema.Literals(["k0", "k1", "k2", "k3", "k4", "k5"])
      const Node = Schema.Literals(["a", "b", "c"])
      const Cap = Schema.Literals(["auction", "plan", "bid"])
      const Fields = { node: Node, caps: Schema.Array(Cap), load: Schema.Literals([1, 2]), busy: Schema.Boolean }
      const Op = Schema.TaggedUnion({
        Register: { key: Key, durable: Schema.Boolean, ...Fields },
        Unregister: { key: Key },
        CloseOwner: { key: Key },
        Update: { key: Key, ...Fields },
        Select: {
          node: Schema.optionalKey(Node),
          cap: Schema.optionalKey(Cap),
          load: Schema.optionalKey(Schema.Literals([1, 2])),
          busy: Schema.optionalKey(Schema.Boolean)
        }
      })
      type Op = typeof Op.Type
      type Fields = {
        readonly node: string
        readonly caps: ReadonlyArray<string>
        readonly load: number
        readonly busy: boolean
      }
      const toMetadata = (f: Fields): Metadata => ({
        node: f.node,
        capabilities: [...f.caps],
        load: f.load,
        busy: f.busy
      })
      // The brute-force model: a map from key to metadata, and a linear scan for select.
      const modelSelect = (model: Map<string, Fields>, s: Extract<Op, { _tag: "Select" }>) =>
        [...model]
          .filter(
            ([, f]) =>
              (s.node === undefined || f.node === s.node) &&
              (s.cap === undefined || f.caps.includes(s.cap)) &&
              (s.load === undefined || f.load === s.load) &&
              (s.busy === undefined || f.busy === s.busy)
          )
          .map(([k]) => k)
          .sort()

      it.effect.prop(
        "random operation sequences agree with a brute-force model",
        { ops: Schema.Array(Op).check(Schema.isMinLength(20), Schema.isMaxLength(80)) },
        ({ ops }) =>
          Effect.gen(function* () {
            const registry = yield* makeRegistry("model")
            const model = new Map<string, Fields>()
            const owners = new Map<string, Scope.Closeable>()
            for (const op of ops) {
              switch (op._tag) {
                case "Register": {
                  const scope = yield* Scope.make()
                  const register = op.durable
                    ? registry.registerDurable(op.key, op.key, toMetadata(op))
                    : Scope.provide(registry.register(op.key, op.key, toMetadata(op)), scope)
                  const result = yield* Effect.result(register)
                  assert.strictEqual(result._tag, model.has(op.key) ? "Failure" : "Success")
                  if (result._tag === "Success") {
                    model.set(op.key, op)
                    if (!op.durable) owners.set(op.key, scope)
                  }
                  break
                }
                case "Unregister":
                  assert.strictEqual(yield* registry.unregister(op.key), model.delete(op.key))
                  owners.delete(op.key)
                  break
                case "CloseOwner": {
                  const scope = owners.get(op.key)
                  if (scope !== undefined) {
                    yield* Scope.close(scope, Exit.void)
                    owners.delete(op.key)
                    model.delete(op.key)
                  }
                  break
                }
                case "Update": {
                  const result = yield* Effect.result(registry.update(op.key, toMetadata(op)))
                  assert.strictEqual(result._tag, model.has(op.key) ? "Success" : "Failure")
                  if (model.has(op.key)) model.set(op.key, op)
                  break
                }
                case "Select": {
                  const { _tag, ...selector } = op
                  const sel = {
                    ...(selector.node === undefined ? {} : { node: selector.node }),
                    ...(selector.cap === undefined ? {} : { capabilities: selector.cap }),
                    ...(selector.load === undefined ? {} : { load: selector.load }),
                    ...(selector.busy === undefined ? {} : { busy: selector.busy })
                  }
                  assert.deepStrictEqual(sortedKeys(yield* registry.select(sel)), modelSelect(model, op))
                  break
                }
              }
              assert.strictEqual(yield* registry.count, model.size)
            }
            assert.deepStrictEqual(yield* registry.keys, [...model.keys()].sort())
            for (const [key, fields] of model) {
              const entry = Option.getOrThrow(yield* registry.lookup(key))
              assert.deepStrictEqual(entry.metadata, toMetadata(fields))
              assert.strictEqual(entry.durable, !owners.has(key))
            }
          }).pipe(Effect.provide(backend)),
        { arbitrary: { runs: 100, seed: 7 } }
      )
    })
  })
