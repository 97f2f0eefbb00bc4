/**
 * Garbage at every public boundary of the registry: register / registerDurable / lookup / update /
 * select / unregister / make only succeed or fail with a typed error (never a defect), and a refused
 * call leaves count, keys and entries as they were. `RUNS` (100) inputs per boundary.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema, type Scope } from "effect"
import { MemoryBackend, Registry } from "../../src/registry/index.ts"
import { Garbage, outcome, RUNS } from "../resources/fixtures.ts"

const options = { arbitrary: { runs: RUNS, seed: 31 } }
const Key = Schema.Union([Schema.Literals(["a", "b", "c"]), Garbage])
/** Objects no generator builds: own `__proto__` / `constructor` keys, nesting, huge and odd values. */
const nasty: ReadonlyArray<unknown> = [
  JSON.parse('{"__proto__":{"polluted":1},"role":"x"}'),
  { constructor: "c", toString: 1, hasOwnProperty: true },
  { role: NaN },
  { role: Infinity, n: -0 },
  { tags: ["x".repeat(300)] },
  { tags: Array.from({ length: 300 }, (_, i) => String(i)) },
  Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i])),
  { nested: { deep: { deeper: [1, { x: 2 }] } } },
  { big: 10n },
  { sym: Symbol("s") },
  { f: () => 1 },
  [1, 2, 3],
  new Date(0),
  null
]
const Nasty = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: nasty.length - 1 }))
const Meta = Schema.Union([Garbage, Schema.Record(Schema.String, Garbage), Nasty])
const pick = (m: unknown): unknown =>
  typeof m === "number" && Number.isInteger(m) && m >= 0 && m < nasty.length && m % 2 === 0 ? nasty[m] : m
const layer = Layer.fresh(Registry.layer)

/** Everything observable about the namespace. */
const snapshot = Effect.gen(function* () {
  const registry = yield* Registry
  const keys = yield* registry.keys
  const entries = yield* Effect.forEach(keys, (k) => registry.lookup(k))
  return JSON.stringify({ count: yield* registry.count, keys, entries })
})

const allowed = ["InvalidInput", "AlreadyRegistered", "NotRegistered"]

const unchangedOnFailure = (calls: ReadonlyArray<Effect.Effect<unknown, unknown, Registry | Scope.Scope>>) =>
  Effect.gen(function* () {
    const registry = yield* Registry
    yield* registry.registerDurable("a", { node: "local", id: "agent-a" }, { role: "planner", tags: ["x", "y"] })
    yield* registry.register("b", null, { n: 1 })
    for (const call of calls) {
      const before = yield* snapshot
      const tag = yield* outcome(call)
      assert.include(["ok", ...allowed], tag)
      if (tag !== "ok") assert.strictEqual(yield* snapshot, before)
    }
    assert.isFalse(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"))
  }).pipe(Effect.scoped, Effect.provide(layer))

describe("registry: fuzzed boundaries", () => {
  it.effect.prop(
    "register / registerDurable(key, value, metadata) x100",
    [Key, Garbage, Meta],
    ([key, value, meta]) =>
      unchangedOnFailure([
        Effect.flatMap(Registry, (r) => r.register(key as string, value as never, pick(meta) as never)),
        Effect.flatMap(Registry, (r) => r.registerDurable(key as string, pick(value) as never, pick(meta) as never))
      ]),
    options
  )

  it.effect.prop(
    "lookup / unregister(key) x100",
    [Key, Key],
    ([a, b]) =>
      unchangedOnFailure([
        Effect.flatMap(Registry, (r) => r.lookup(a as string)),
        Effect.flatMap(Registry, (r) => r.unregister(b as string))
      ]),
    options
  )

  it.effect.prop(
    "update(key, metadata) x100",
    [Key, Meta],
    ([key, meta]) =>
      unchangedOnFailure([Effect.flatMap(Registry, (r) => r.update(key as string, pick(meta) as never))]),
    options
  )

  it.effect.prop(
    "select(selector) x100",
    [Meta],
    ([selector]) => unchangedOnFailure([Effect.flatMap(Registry, (r) => r.select(pick(selector) as never))]),
    options
  )

  it.effect.prop(
    "Registry.make / layerWith({ namespace }) x100",
    [Garbage],
    ([namespace]) =>
      Effect.gen(function* () {
        assert.include(
          ["ok", "InvalidInput"],
          yield* outcome(Registry.make({ namespace: namespace as string }).pipe(Effect.provide(MemoryBackend.layer)))
        )
        assert.include(
          ["ok", "InvalidInput"],
          yield* outcome(
            Layer.build(Registry.layerWith({ namespace: namespace as string, backend: MemoryBackend.layer }))
          )
        )
      }).pipe(Effect.scoped),
    options
  )
})
