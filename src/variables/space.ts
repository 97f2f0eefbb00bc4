/**
 * Pure helpers over variable spaces: decode a space, sample it with the Effect `Random` service,
 * check an assignment against it, map assignments to and from the unit cube (the coordinates the
 * model-based strategy works in), and enumerate a grid without materialising it.
 *
 * Randomness comes only from `Random`, so `Random.withSeed(seed)` makes every draw reproducible.
 *
 * @since 0.1.0
 */
import { Effect, Random } from "effect"
import { decodeInput, type InvalidInput } from "../errors/index.ts"
import type { Assignment, Category, Space, Variable } from "./schema.ts"
import { Space as SpaceSchema } from "./schema.ts"
import { InvalidAssignment } from "./VariablesError.ts"

/**
 * Decodes an untrusted space, failing with `InvalidInput` (where `"Variables.space"`) that names
 * each bad variable and value: reversed bounds, a log scale starting at 0, duplicate categories…
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSpace: (input: unknown) => Effect.Effect<Space, InvalidInput> = decodeInput(
  SpaceSchema,
  "Variables.space"
)

/**
 * The variable names of a space, in the order every helper here uses.
 *
 * @since 0.1.0
 * @category utils
 */
export const names = (space: Space): ReadonlyArray<string> => Object.keys(space)

const lerp = (a: number, b: number, u: number): number => a + (b - a) * u
const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x)

/**
 * The value of `variable` at unit coordinate `u` in `[0, 1]`: linear or logarithmic between the
 * bounds for numbers, equal-width cells for integers and categories.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromUnit = (variable: Variable, u: number): Category => {
  const t = clamp(u, 0, 1)
  switch (variable._tag) {
    case "continuous":
      return variable.log === true
        ? clamp(Math.exp(lerp(Math.log(variable.min), Math.log(variable.max), t)), variable.min, variable.max)
        : clamp(lerp(variable.min, variable.max, t), variable.min, variable.max)
    case "integer": {
      const x =
        variable.log === true
          ? Math.exp(lerp(Math.log(variable.min), Math.log(variable.max + 1), t))
          : lerp(variable.min, variable.max + 1, t)
      return clamp(Math.floor(x), variable.min, variable.max)
    }
    case "categorical":
      return variable.values[clamp(Math.floor(t * variable.values.length), 0, variable.values.length - 1)]!
  }
}

/**
 * The unit coordinate of `value` for `variable`, the inverse of `fromUnit` (integers and
 * categories map to the centre of their cell). The value must fit the variable.
 *
 * @since 0.1.0
 * @category utils
 */
export const toUnit = (variable: Variable, value: Category): number => {
  switch (variable._tag) {
    case "continuous": {
      const x = value as number
      return variable.log === true
        ? (Math.log(x) - Math.log(variable.min)) / (Math.log(variable.max) - Math.log(variable.min))
        : (x - variable.min) / (variable.max - variable.min)
    }
    case "integer": {
      const x = value as number
      return variable.log === true
        ? (Math.log(x + 0.5) - Math.log(variable.min)) / (Math.log(variable.max + 1) - Math.log(variable.min))
        : (x - variable.min + 0.5) / (variable.max - variable.min + 1)
    }
    case "categorical":
      return (variable.values.indexOf(value) + 0.5) / variable.values.length
  }
}

/**
 * The assignment at unit coordinates `point` (one per variable, in `names` order).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromUnitPoint = (space: Space, point: ReadonlyArray<number>): Assignment => {
  const out: Record<string, Category> = {}
  names(space).forEach((name, i) => {
    out[name] = fromUnit(space[name]!, point[i] ?? 0)
  })
  return out
}

/**
 * Draws one assignment uniformly (on the log scale for log variables) with a given generator;
 * the synchronous core of `sample`, for hot loops that already hold the `Random` service.
 *
 * @since 0.1.0
 * @category utils
 */
export const sampleUnsafe = (space: Space, random: Random.Random): Assignment => {
  const out: Record<string, Category> = {}
  for (const name of names(space)) out[name] = fromUnit(space[name]!, random.nextDoubleUnsafe())
  return out
}

/**
 * Draws one assignment uniformly (log variables on their log scale) from the `Random` service.
 *
 * @since 0.1.0
 * @category utils
 */
export const sample = (space: Space): Effect.Effect<Assignment> =>
  Effect.map(Effect.service(Random.Random), (random) => sampleUnsafe(space, random))

const show = (value: unknown): string => (value === undefined ? "undefined" : JSON.stringify(value))

const problem = (variable: Variable, value: Category | undefined): string | undefined => {
  if (value === undefined) return "missing"
  switch (variable._tag) {
    case "continuous":
      if (typeof value !== "number" || !Number.isFinite(value)) return "expected a finite number"
      return value < variable.min || value > variable.max
        ? `out of bounds [${variable.min}, ${variable.max}]`
        : undefined
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return "expected an integer"
      return value < variable.min || value > variable.max
        ? `out of bounds [${variable.min}, ${variable.max}]`
        : undefined
    case "categorical":
      return variable.values.includes(value) ? undefined : `not one of ${show(variable.values)}`
  }
}

/**
 * Succeeds with `assignment` if it gives every variable of `space` a fitting value and names no
 * other; fails with `InvalidAssignment` naming the first offending variable and value.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkAssignment = (space: Space, assignment: Assignment): Effect.Effect<Assignment, InvalidAssignment> => {
  for (const name of names(space)) {
    const reason = problem(space[name]!, assignment[name])
    if (reason !== undefined) {
      return Effect.fail(new InvalidAssignment({ variable: name, value: show(assignment[name]), reason }))
    }
  }
  for (const name of Object.keys(assignment)) {
    if (!(name in space)) {
      return Effect.fail(
        new InvalidAssignment({ variable: name, value: show(assignment[name]), reason: "not a variable of the space" })
      )
    }
  }
  return Effect.succeed(assignment)
}

/**
 * A canonical string for an assignment (sorted keys): equal assignments have equal keys.
 *
 * @since 0.1.0
 * @category utils
 */
export const assignmentKey = (assignment: Assignment): string =>
  JSON.stringify(
    Object.keys(assignment)
      .sort()
      .map((name) => [name, assignment[name]])
  )

/**
 * The axes of a grid: the values each variable takes, `levels` per numeric variable at most.
 *
 * @since 0.1.0
 * @category utils
 */
export const gridAxes = (space: Space, levels: number): ReadonlyArray<ReadonlyArray<Category>> =>
  names(space).map((name) => {
    const variable = space[name]!
    switch (variable._tag) {
      case "categorical":
        return variable.values
      case "integer": {
        const count = variable.max - variable.min + 1
        if (count <= levels) return Array.from({ length: count }, (_, i) => variable.min + i)
        const values = Array.from({ length: levels }, (_, i) => {
          const t = levels === 1 ? 0.5 : i / (levels - 1)
          return variable.log === true
            ? Math.round(Math.exp(lerp(Math.log(variable.min), Math.log(variable.max), t)))
            : Math.round(lerp(variable.min, variable.max, t))
        })
        return [...new Set(values)]
      }
      case "continuous":
        return Array.from({ length: levels }, (_, i) => {
          const t = levels === 1 ? 0.5 : i / (levels - 1)
          return variable.log === true
            ? clamp(Math.exp(lerp(Math.log(variable.min), Math.log(variable.max), t)), variable.min, variable.max)
            : lerp(variable.min, variable.max, t)
        })
    }
  })

/**
 * How many points a grid over `axes` has.
 *
 * @since 0.1.0
 * @category utils
 */
export const gridSize = (axes: ReadonlyArray<ReadonlyArray<Category>>): number =>
  axes.reduce((n, axis) => n * axis.length, 1)

/**
 * The `index`-th grid point (mixed-radix, last variable fastest), for `index < gridSize(axes)`.
 *
 * @since 0.1.0
 * @category utils
 */
export const gridPoint = (space: Space, axes: ReadonlyArray<ReadonlyArray<Category>>, index: number): Assignment => {
  const keys = names(space)
  const out: Record<string, Category> = {}
  let rest = index
  for (let i = keys.length - 1; i >= 0; i--) {
    const axis = axes[i]!
    out[keys[i]!] = axis[rest % axis.length]!
    rest = Math.floor(rest / axis.length)
  }
  return out
}
