/**
 * Garbage at the public boundaries of config: `loadOptions` with garbage env maps and code values,
 * and `MabeamConfig.update` with garbage patches, only succeed or fail with a typed error (never a
 * defect), and a refused update leaves the current options as they were. `RUNS` (100) inputs each.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { envName, loadOptions, MabeamConfig } from "../../src/config/index.ts"
import { Garbage, outcome, RUNS } from "../resources/fixtures.ts"

const options = { arbitrary: { runs: RUNS, seed: 43 } }
// Every option's env var (no MABEAM_CONFIG_FILE: a number there would be read as a file descriptor).
const paths = [
  ["nodeName"],
  ["logLevel"],
  ["limiter", "capacity"],
  ["limiter", "refillPerSecond"],
  ["breaker", "failureThreshold"],
  ["breaker", "failureRate"],
  ["breaker", "windowSize"],
  ["breaker", "resetTimeoutMillis"],
  ["breaker", "halfOpenTrials"],
  ["events", "backend"],
  ["events", "file"],
  ["events", "maxCount"],
  ["events", "maxAgeMillis"],
  ["telemetry", "serviceName"],
  ["telemetry", "exportIntervalMillis"],
  ["telemetry", "prometheusPort"],
  ["pool", "size"],
  ["pool", "acquireTimeoutMillis"],
  ["mailbox", "capacity"],
  ["limiter"],
  ["__proto__"],
  ["constructor"]
]
const EnvKey = Schema.Union([
  Schema.Literals(paths.map(envName)),
  Schema.Literals(["MABEAM_", "MABEAM", "MABEAM__PROTO__", "mabeam_node_name", "HOME"])
])
const EnvValue = Schema.Union([
  Schema.Literals([
    "",
    " ",
    "0",
    "-1",
    "1",
    "1.5",
    "NaN",
    "Infinity",
    "1e309",
    "9007199254740993",
    "0x10",
    "true",
    "sqlite",
    "Debug",
    "x".repeat(10_000),
    "__proto__",
    '{"a":1}',
    "[1,2]"
  ]),
  Schema.String
])
const Env = Schema.Record(EnvKey, EnvValue)
const Values = Schema.Union([
  Garbage,
  Schema.Record(
    Schema.Literals(["nodeName", "logLevel", "limiter", "breaker", "events", "telemetry", "pool", "mailbox", "extra"]),
    Schema.Union([Garbage, Schema.Record(Schema.String, Garbage)])
  )
])
const poisoned: unknown = JSON.parse(
  '{"__proto__":{"nodeName":"evil"},"constructor":{"prototype":{"x":1}},"limiter":{"__proto__":{"capacity":-1}}}'
)

describe("config: fuzzed boundaries", () => {
  it.effect.prop(
    "loadOptions({ env: garbage env map }) x100",
    [Env],
    ([env]) =>
      Effect.gen(function* () {
        assert.include(["ok", "InvalidConfig"], yield* outcome(loadOptions({ env })))
      }),
    options
  )

  // Env values are typed strings: a non-string one (a type violation) dies building `InvalidConfig`.
  it.effect.prop(
    "loadOptions({ env: garbage keys, undefined values }) x100",
    [Schema.Record(Schema.Union([EnvKey, Schema.String]), Schema.UndefinedOr(EnvValue))],
    ([env]) =>
      Effect.gen(function* () {
        assert.include(["ok", "InvalidConfig"], yield* outcome(loadOptions({ env })))
      }),
    options
  )

  it.effect.prop(
    "loadOptions({ values: garbage, env }) x100",
    [Values, Env],
    ([values, env]) =>
      Effect.gen(function* () {
        assert.include(["ok", "InvalidConfig"], yield* outcome(loadOptions({ values: values as never, env })))
        assert.include(["ok", "InvalidConfig"], yield* outcome(loadOptions({ values: poisoned as never, env: {} })))
        assert.isFalse(Object.prototype.hasOwnProperty.call(Object.prototype, "nodeName"))
      }),
    options
  )

  it.effect.prop(
    "MabeamConfig.update(garbage patch) x100",
    [Values, Garbage],
    ([patch, junk]) =>
      Effect.gen(function* () {
        const config = yield* MabeamConfig
        for (const p of [patch, junk, poisoned]) {
          const before = JSON.stringify(yield* config.current)
          const tag = yield* outcome(config.update(p))
          assert.include(["ok", "InvalidInput"], tag)
          if (tag !== "ok") assert.strictEqual(JSON.stringify(yield* config.current), before)
        }
      }).pipe(Effect.provide(MabeamConfig.layerWith({ env: {} }))),
    options
  )
})
