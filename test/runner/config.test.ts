import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { RunnerConfig } from "../../src/runner/index.ts"
import { runCli } from "../cli/helpers.ts"

const agents = join(import.meta.dirname, "agents.ts")
const dir = mkdtempSync(join(tmpdir(), "mabeam-runner-config-"))
const pem = join(dir, "ca.pem")
writeFileSync(pem, "not read at this stage")
process.on("exit", () => rmSync(dir, { recursive: true, force: true }))

const decode = (raw: RunnerConfig.RawSettings) => RunnerConfig.decode(raw, dir)

describe("runner settings", () => {
  it.effect("the required settings and the defaults make a runner on 127.0.0.1", () =>
    Effect.gen(function* () {
      const settings = yield* decode({ storage: "cluster.sqlite", agents })
      assert.strictEqual(settings.storage, "cluster.sqlite")
      assert.strictEqual(settings.agents, agents)
      assert.deepStrictEqual(settings.listen, { host: "127.0.0.1", port: 34431 })
      assert.deepStrictEqual(settings.advertise, settings.listen)
      assert.deepStrictEqual(settings.health, { host: "127.0.0.1", port: 9464 })
      assert.strictEqual(Duration.toMillis(settings.drainTimeout), 20_000)
      assert.strictEqual(settings.failover, "fast")
      assert.strictEqual(settings.shardsPerGroup, 300)
      assert.strictEqual(settings.tls, undefined)
      assert.strictEqual(settings.name, "runner-127.0.0.1:34431")
    })
  )

  it.effect("a flag wins over its MABEAM_ variable, which wins over the default; an empty variable is unset", () =>
    Effect.gen(function* () {
      const merged = RunnerConfig.merge(
        { listen: "127.0.0.1:5000" },
        {
          MABEAM_LISTEN: "127.0.0.1:6000",
          MABEAM_STORAGE: "postgres://u@db:5432/mabeam",
          MABEAM_DRAIN_TIMEOUT: "3 seconds",
          MABEAM_NAME: ""
        }
      )
      const settings = yield* decode({ ...merged, agents })
      assert.strictEqual(settings.listen.port, 5000)
      assert.strictEqual(settings.storage, "postgres://u@db:5432/mabeam")
      assert.strictEqual(Duration.toMillis(settings.drainTimeout), 3000)
      assert.strictEqual(settings.name, "runner-127.0.0.1:5000")
    })
  )

  it.effect("every bad value is named in one RunnerConfigError, with what was expected", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        decode({
          storage: "/no/such/dir/cluster.sqlite",
          agents: "missing-agents.ts",
          listen: "localhost",
          health: "127.0.0.1:99999",
          drainTimeout: "soon",
          failover: "fastest",
          shardsPerGroup: "0",
          tlsCa: pem,
          logFormat: "xml",
          logLevel: "loud"
        })
      )
      assert.strictEqual(error._tag, "RunnerConfigError")
      const named = error.issues.map((i) => i.setting.split(" / ")[0])
      assert.deepStrictEqual(named.sort(), [
        "--agents",
        "--drain-timeout",
        "--failover",
        "--health",
        "--listen",
        "--log-format",
        "--log-level",
        "--shards-per-group",
        "--storage",
        "--tls-cert",
        "--tls-key"
      ])
      assert.include(error.message, '--drain-timeout / MABEAM_DRAIN_TIMEOUT = "soon"')
      assert.include(error.message, "--tls-cert / MABEAM_TLS_CERT")
      assert.include(error.message, "11 setting(s) are wrong")
    })
  )

  it.effect("a missing storage and agents module are errors, not defaults", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decode({}))
      assert.deepStrictEqual(
        error.issues.map((i) => i.setting),
        ["--storage / MABEAM_STORAGE", "--agents / MABEAM_AGENTS"]
      )
    })
  )

  it.effect(
    "a wildcard listen address needs an advertised address; a Postgres URL must have a host; no other scheme",
    () =>
      Effect.gen(function* () {
        const wildcard = yield* Effect.flip(decode({ storage: "postgres://", agents, listen: "0.0.0.0:34431" }))
        assert.deepStrictEqual(
          wildcard.issues.map((i) => i.setting.split(" / ")[0]),
          ["--storage", "--advertise"]
        )
        const ok = yield* decode({ storage: "x.sqlite", agents, listen: "0.0.0.0:34431", advertise: "10.0.0.5:34431" })
        assert.deepStrictEqual(ok.advertise, { host: "10.0.0.5", port: 34431 })
        const scheme = yield* Effect.flip(decode({ storage: "mysql://db/x", agents }))
        assert.include(scheme.message, "no other scheme")
        const same = yield* Effect.flip(
          decode({ storage: "x.sqlite", agents, listen: "127.0.0.1:9000", health: "127.0.0.1:9000" })
        )
        assert.include(same.message, "a port other than the runner's --listen port")
      })
  )

  it.effect("a password in a bad Postgres URL is not echoed", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decode({ storage: "postgres://u:secret@/db", agents }))
      assert.notInclude(error.message, "secret")
    })
  )

  it.effect("TLS needs the CA, the certificate and the key together", () =>
    Effect.gen(function* () {
      const all = yield* decode({ storage: "x.sqlite", agents, tlsCa: pem, tlsCert: pem, tlsKey: pem })
      assert.deepStrictEqual(all.tls, { ca: pem, cert: pem, key: pem, crl: undefined })
      const crlAlone = yield* Effect.flip(decode({ storage: "x.sqlite", agents, tlsCrl: pem }))
      assert.deepStrictEqual(
        crlAlone.issues.map((i) => i.setting.split(" / ")[0]),
        ["--tls-crl"]
      )
    })
  )

  it.effect("mabeam runner with wrong settings exits 2 and names every bad value", () =>
    Effect.gen(function* () {
      const run = yield* runCli([
        "runner",
        "--storage",
        "x.sqlite",
        "--agents",
        agents,
        "--listen",
        "nowhere",
        "--failover",
        "slow"
      ])
      assert.strictEqual(run.code, 2)
      assert.include(run.err, '--listen / MABEAM_LISTEN = "nowhere"')
      assert.include(run.err, '--failover / MABEAM_FAILOVER = "slow": expected one of fast, tolerant, effect-defaults')
    })
  )

  it.effect("every setting is a flag of mabeam runner, with its variable in the help", () =>
    Effect.gen(function* () {
      const run = yield* runCli(["runner", "--help"])
      assert.strictEqual(run.code, 0)
      for (const s of RunnerConfig.SETTINGS) {
        assert.include(run.out, `--${s.flag}`)
        assert.include(run.out, s.env)
      }
    })
  )
})
