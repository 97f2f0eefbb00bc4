import { assert, describe, it } from "@effect/vitest"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConfigProvider, Deferred, Effect, Fiber, Layer, Stream } from "effect"
import { loadOptions, MabeamConfig } from "../../src/config/index.ts"
import { Mabeam } from "../../src/runtime/index.ts"

const jsonFile = (contents: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), "mabeam-config-")), "mabeam.json")
  writeFileSync(file, contents)
  return file
}

describe("loadOptions", () => {
  it.effect("an empty source yields every default", () =>
    Effect.gen(function* () {
      const options = yield* loadOptions({ env: {} })
      assert.strictEqual(options.nodeName, "mabeam")
      assert.strictEqual(options.limiter.capacity, 100)
      assert.strictEqual(options.breaker.resetTimeoutMillis, 30_000)
      assert.strictEqual(options.events.backend, "memory")
    })
  )

  it.effect("MABEAM_* env vars are read, multi-word keys included", () =>
    Effect.gen(function* () {
      const options = yield* loadOptions({
        env: {
          MABEAM_LIMITER_REFILL_PER_SECOND: "7.5",
          MABEAM_EVENTS_BACKEND: "sqlite",
          MABEAM_NODE_NAME: "n1",
          HOME: "/x"
        }
      })
      assert.strictEqual(options.limiter.refillPerSecond, 7.5)
      assert.strictEqual(options.events.backend, "sqlite")
      assert.strictEqual(options.nodeName, "n1")
    })
  )

  it.effect("code wins over env, env wins over the JSON file, the file wins over defaults", () =>
    Effect.gen(function* () {
      const file = jsonFile(
        JSON.stringify({ nodeName: "file", limiter: { capacity: 3, refillPerSecond: 2 }, pool: { size: 4 } })
      )
      const options = yield* loadOptions({
        file,
        env: { MABEAM_LIMITER_CAPACITY: "9", MABEAM_NODE_NAME: "env" },
        values: { nodeName: "code" }
      })
      assert.strictEqual(options.nodeName, "code")
      assert.strictEqual(options.limiter.capacity, 9)
      assert.strictEqual(options.limiter.refillPerSecond, 2)
      assert.strictEqual(options.pool.size, 4)
      assert.strictEqual(options.pool.acquireTimeoutMillis, 5_000)
    })
  )

  it.effect("MABEAM_CONFIG_FILE names the JSON file", () =>
    Effect.gen(function* () {
      const file = jsonFile(JSON.stringify({ mailbox: { capacity: 8 } }))
      const options = yield* loadOptions({ env: { MABEAM_CONFIG_FILE: file } })
      assert.strictEqual(options.mailbox.capacity, 8)
    })
  )

  it.effect("the ambient ConfigProvider is the default env source", () =>
    Effect.gen(function* () {
      const options = yield* loadOptions()
      assert.strictEqual(options.breaker.failureThreshold, 2)
    }).pipe(
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { MABEAM_BREAKER_FAILURE_THRESHOLD: "2" } })))
    )
  )

  it.effect("an invalid env value fails naming the key, the env var, the value and the expectation", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(loadOptions({ env: { MABEAM_LIMITER_CAPACITY: "-2" } }))
      assert.strictEqual(error._tag, "InvalidConfig")
      assert.deepStrictEqual(
        error.issues.map((i) => [i.key, i.env, i.value]),
        [["limiter.capacity", "MABEAM_LIMITER_CAPACITY", "-2"]]
      )
      assert.include(error.message, 'limiter.capacity (MABEAM_LIMITER_CAPACITY) = "-2"')
      assert.include(error.message, "greater than 0")
    })
  )

  it.effect("a non-number, a bad literal and a bad code value are each reported with their key", () =>
    Effect.gen(function* () {
      const cases = [
        [{ env: { MABEAM_POOL_SIZE: "many" } }, "pool.size", '"many"'],
        [{ env: { MABEAM_EVENTS_BACKEND: "redis" } }, "events.backend", '"redis"'],
        [{ env: {}, values: { breaker: { failureRate: 2 } } }, "breaker.failureRate", '"2"']
      ] as const
      for (const [sources, key, shown] of cases) {
        const error = yield* Effect.flip(loadOptions(sources))
        assert.deepStrictEqual(
          error.issues.map((i) => i.key),
          [key]
        )
        assert.include(error.message, shown)
      }
    })
  )

  it.effect("a missing, malformed or non-object JSON file fails with InvalidConfig", () =>
    Effect.gen(function* () {
      for (const file of ["/nonexistent/mabeam.json", jsonFile("{not json"), jsonFile("[1]")]) {
        const error = yield* Effect.flip(loadOptions({ env: {}, file }))
        assert.strictEqual(error.issues[0]?.env, "MABEAM_CONFIG_FILE")
        assert.strictEqual(error.issues[0]?.value, file)
      }
    })
  )
})

describe("MabeamConfig", () => {
  const layer = MabeamConfig.layerWith({ env: {}, values: { limiter: { capacity: 10 } } })

  it.effect("an accepted update changes current and keeps the other settings", () =>
    Effect.gen(function* () {
      const config = yield* MabeamConfig
      const next = yield* config.update({ limiter: { refillPerSecond: 5 }, logLevel: "Debug" })
      assert.deepStrictEqual(next.limiter, { capacity: 10, refillPerSecond: 5 })
      assert.strictEqual(next.logLevel, "Debug")
      assert.deepStrictEqual(yield* config.current, next)
      assert.strictEqual(config.initial.limiter.refillPerSecond, 50)
    }).pipe(Effect.provide(layer))
  )

  it.effect("an invalid update is rejected with InvalidInput and the old value is kept", () =>
    Effect.gen(function* () {
      const config = yield* MabeamConfig
      const before = yield* config.current
      for (const patch of [
        { limiter: { capacity: 0 } },
        { logLevel: "Loud" },
        {},
        null,
        { breaker: { failureRate: 1.5 } }
      ]) {
        const error = yield* Effect.flip(config.update(patch))
        assert.strictEqual(error._tag, "InvalidInput")
        assert.strictEqual(error.where, "MabeamConfig.update")
      }
      assert.deepStrictEqual(yield* config.current, before)
    }).pipe(Effect.provide(layer))
  )

  it.effect("subscribers see the current options and then every accepted update", () =>
    Effect.gen(function* () {
      const config = yield* MabeamConfig
      const subscribed = yield* Deferred.make<void>()
      const fiber = yield* config.changes.pipe(
        Stream.tap(() => Deferred.succeed(subscribed, undefined)),
        Stream.map((o) => o.limiter.capacity),
        Stream.take(3),
        Stream.runCollect,
        Effect.forkChild
      )
      yield* Deferred.await(subscribed)
      yield* config.update({ limiter: { capacity: 20 } })
      yield* Effect.flip(config.update({ limiter: { capacity: -1 } }))
      yield* config.update({ limiter: { capacity: 30 } })
      assert.deepStrictEqual(yield* Fiber.join(fiber), [10, 20, 30])
    }).pipe(Effect.provide(layer))
  )

  it.effect("the layer fails the startup on invalid config", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(MabeamConfig.layerWith({ env: { MABEAM_MAILBOX_CAPACITY: "0" } })))
      assert.strictEqual(error._tag, "InvalidConfig")
      assert.strictEqual(error.issues[0]?.env, "MABEAM_MAILBOX_CAPACITY")
    })
  )
})

describe("configuration errors and sources, as a new user meets them", () => {
  it.effect("two bad env vars are both reported, each with its key, env var, value and expectation", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        loadOptions({
          env: { MABEAM_LIMITER_CAPACITY: "-2", MABEAM_POOL_SIZE: "many", MABEAM_NODE_NAME: "fine" }
        })
      )
      assert.deepStrictEqual(
        error.issues.map((issue) => [issue.key, issue.env, issue.value]),
        [
          ["limiter.capacity", "MABEAM_LIMITER_CAPACITY", "-2"],
          ["pool.size", "MABEAM_POOL_SIZE", "many"]
        ]
      )
      assert.include(error.message, "MABEAM_LIMITER_CAPACITY")
      assert.include(error.message, "MABEAM_POOL_SIZE")
    })
  )

  it.effect("bad keys from code, env and file are reported together", () =>
    Effect.gen(function* () {
      const file = jsonFile(JSON.stringify({ breaker: { failureRate: 3 } }))
      const error = yield* Effect.flip(
        loadOptions({ file, env: { MABEAM_LOG_LEVEL: "loud" }, values: { mailbox: { capacity: 0 } } })
      )
      assert.deepStrictEqual(error.issues.map((issue) => issue.key).sort(), [
        "breaker.failureRate",
        "logLevel",
        "mailbox.capacity"
      ])
    })
  )

  it.effect("MABEAM_LOG_LEVEL is case-insensitive, like --log-level", () =>
    Effect.gen(function* () {
      for (const level of ["debug", "DEBUG", "Debug", " debug "]) {
        assert.strictEqual((yield* loadOptions({ env: { MABEAM_LOG_LEVEL: level } })).logLevel, "Debug")
      }
      assert.strictEqual((yield* loadOptions({ values: { logLevel: "warn" } })).logLevel, "Warn")
    })
  )

  it.effect("Mabeam.layer: code wins over MABEAM_* env vars, which win over the JSON file (as its doc says)", () =>
    Effect.gen(function* () {
      const file = jsonFile(JSON.stringify({ nodeName: "from-file", pool: { size: 4 }, mailbox: { capacity: 8 } }))
      const env = { MABEAM_NODE_NAME: "from-env", MABEAM_POOL_SIZE: "6" }
      const read = (options: Mabeam.MabeamLayerOptions) =>
        Effect.gen(function* () {
          return (yield* MabeamConfig).initial
        }).pipe(Effect.provide(Mabeam.layer(options)))
      const fileAndEnv = yield* read({ file, env })
      assert.strictEqual(fileAndEnv.nodeName, "from-env")
      assert.strictEqual(fileAndEnv.pool.size, 6)
      assert.strictEqual(fileAndEnv.mailbox.capacity, 8)
      const all = yield* read({ file, env, values: { nodeName: "from-code" } })
      assert.strictEqual(all.nodeName, "from-code")
      assert.strictEqual(all.pool.size, 6)
    })
  )
})
