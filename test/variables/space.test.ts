import { assert, describe, it } from "@effect/vitest"
import { Effect, Random, Schema } from "effect"
import { InvalidInput } from "../../src/errors/index.ts"
import {
  checkAssignment,
  fromUnit,
  gridAxes,
  gridPoint,
  gridSize,
  InvalidAssignment,
  makeSpace,
  sample,
  type Space,
  toUnit
} from "../../src/variables/index.ts"

const mixed: Space = {
  lr: { _tag: "continuous", min: 1e-4, max: 1, log: true },
  momentum: { _tag: "continuous", min: 0, max: 0.99 },
  hidden: { _tag: "integer", min: 2, max: 64, log: true },
  layers: { _tag: "integer", min: 1, max: 3 },
  activation: { _tag: "categorical", values: ["tanh", "relu", "sigmoid"] }
}

const invalid = (input: unknown) => Effect.flip(makeSpace(input))

describe("variable spaces", () => {
  it.effect("a well-formed mixed space decodes unchanged", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* makeSpace(mixed), mixed)
    })
  )

  it.effect("reversed continuous bounds are InvalidInput naming both values", () =>
    Effect.gen(function* () {
      const error = yield* invalid({ x: { _tag: "continuous", min: 5, max: 1 } })
      assert.instanceOf(error, InvalidInput)
      assert.strictEqual(error.where, "Variables.space")
      assert.include(error.message, "min (5) must be below max (1)")
      assert.include(error.message, `["x"]`)
    })
  )

  it.effect("a log scale starting at zero is rejected", () =>
    Effect.gen(function* () {
      const error = yield* invalid({ lr: { _tag: "continuous", min: 0, max: 1, log: true } })
      assert.include(error.message, "a log-scale variable needs min > 0, got min 0")
    })
  )

  it.effect("integer bounds must be integers, in order", () =>
    Effect.gen(function* () {
      assert.include((yield* invalid({ n: { _tag: "integer", min: 1.5, max: 3 } })).message, "Expected an integer")
      assert.include(
        (yield* invalid({ n: { _tag: "integer", min: 4, max: 3 } })).message,
        "min (4) must not exceed max (3)"
      )
    })
  )

  it.effect("wrong types, empty or duplicate categories and an empty space are rejected", () =>
    Effect.gen(function* () {
      assert.include(
        (yield* invalid({ x: { _tag: "continuous", min: "0", max: 1 } })).message,
        `Expected number\n  at ["x"]["min"]`
      )
      assert.include((yield* invalid({ c: { _tag: "categorical", values: ["a", "a"] } })).message, "unique")
      assert.instanceOf(yield* invalid({ c: { _tag: "categorical", values: [] } }), InvalidInput)
      assert.instanceOf(yield* invalid({ x: { _tag: "bogus" } }), InvalidInput)
      assert.include((yield* invalid({})).message, "at least 1 entry")
    })
  )

  it.effect("every problem of a space is reported at once", () =>
    Effect.gen(function* () {
      const error = yield* invalid({
        a: { _tag: "continuous", min: 2, max: 1 },
        b: { _tag: "integer", min: 3, max: 1 }
      })
      assert.include(error.message, `["a"]`)
      assert.include(error.message, `["b"]`)
    })
  )

  it.prop(
    "samples always fit the space",
    [Schema.Int],
    ([seed]) => {
      const drawn = Effect.runSync(
        Effect.all(Array.from({ length: 20 }, () => sample(mixed))).pipe(Random.withSeed(seed))
      )
      for (const assignment of drawn) Effect.runSync(checkAssignment(mixed, assignment))
    },
    { arbitrary: { runs: 50, seed: 7 } }
  )

  it.effect("log-scale sampling explores each decade about equally", () =>
    Effect.gen(function* () {
      const space: Space = { lr: { _tag: "continuous", min: 1e-4, max: 1, log: true } }
      const draws = yield* Effect.all(Array.from({ length: 4000 }, () => sample(space))).pipe(
        Random.withSeed("decades")
      )
      const below = draws.filter((a) => (a["lr"] as number) < 1e-2).length / draws.length
      assert.closeTo(below, 0.5, 0.05)
    })
  )

  it.prop(
    "toUnit inverts fromUnit for every variable kind",
    [Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 }))],
    ([u]) => {
      for (const variable of Object.values(mixed)) {
        const value = fromUnit(variable, u)
        const back = fromUnit(variable, toUnit(variable, value))
        if (variable._tag === "continuous") assert.closeTo(back as number, value as number, 1e-9)
        else assert.strictEqual(back, value)
      }
    },
    { arbitrary: { runs: 200, seed: 3 } }
  )

  it.effect("checkAssignment names the offending variable and value", () =>
    Effect.gen(function* () {
      const good = { lr: 0.01, momentum: 0.5, hidden: 8, layers: 2, activation: "relu" }
      assert.deepStrictEqual(yield* checkAssignment(mixed, good), good)
      const cases: ReadonlyArray<[Record<string, string | number | boolean>, string, string]> = [
        [{ ...good, lr: 2 }, "lr", "out of bounds [0.0001, 1]"],
        [{ ...good, hidden: 8.5 }, "hidden", "expected an integer"],
        [{ ...good, activation: "gelu" }, "activation", `not one of ["tanh","relu","sigmoid"]`],
        [{ ...good, momentum: "high" }, "momentum", "expected a finite number"],
        [{ ...good, extra: 1 }, "extra", "not a variable of the space"]
      ]
      for (const [assignment, variable, reason] of cases) {
        const error = yield* Effect.flip(checkAssignment(mixed, assignment))
        assert.instanceOf(error, InvalidAssignment)
        assert.strictEqual(error.variable, variable)
        assert.strictEqual(error.reason, reason)
        assert.include(error.message, `variable "${variable}"`)
      }
      const { layers: _, ...missing } = good
      assert.strictEqual((yield* Effect.flip(checkAssignment(mixed, missing))).reason, "missing")
    })
  )

  it("the grid covers categories fully and numbers at `levels` values", () => {
    const axes = gridAxes(mixed, 4)
    assert.deepStrictEqual(
      axes.map((a) => a.length),
      [4, 4, 4, 3, 3]
    )
    assert.closeTo(axes[0]![1] as number, 1e-4 * 10 ** (4 / 3), 1e-12)
    assert.deepStrictEqual(axes[3], [1, 2, 3])
    const size = gridSize(axes)
    assert.strictEqual(size, 4 * 4 * 4 * 3 * 3)
    const points = new Set(Array.from({ length: size }, (_, i) => JSON.stringify(gridPoint(mixed, axes, i))))
    assert.strictEqual(points.size, size)
  })
})
