import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { AgentStateStore } from "../../src/cluster/index.ts"
import { freePort } from "../../src/transport/index.ts"
import { Add, DeployTally } from "./agents.ts"
import { clientLayer } from "./client.ts"
import { eventually, spawnRunner } from "./process.ts"

const agents = join(import.meta.dirname, "agents.ts")

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-runner-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

describe("mabeam runner as a process", () => {
  it.live(
    "serves its probes, logs JSON on stdout, and on SIGTERM drains within its deadline and exits 0 with every acknowledged change saved",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const storage = join(dir, "cluster.sqlite")
        const runner = yield* spawnRunner([
          "--storage",
          storage,
          "--agents",
          agents,
          "--listen",
          `127.0.0.1:${yield* freePort}`,
          "--shards-per-group",
          "16",
          "--drain-timeout",
          "10 seconds"
        ])
        yield* runner.started
        const health = yield* runner.probe("/healthz")
        assert.strictEqual(health.status, 200)
        assert.strictEqual(JSON.parse(health.body).status, "ok")
        yield* eventually(
          Effect.map(runner.probe("/readyz"), (r) => r.status === 200),
          "20 seconds",
          "ready"
        )
        const ready = JSON.parse((yield* runner.probe("/readyz")).body)
        assert.deepStrictEqual(ready, {
          status: "ok",
          checks: { registered: true, shards: 16, storage: "ok", draining: false }
        })
        const metrics = (yield* runner.probe("/metrics")).body
        assert.match(metrics, /^mabeam_runner_ready\{runner="runner-127\.0\.0\.1:\d+".*\} 1$/m)
        assert.match(metrics, /^mabeam_runner_shards\{runner=.*\} 16$/m)
        assert.match(metrics, /^mabeam_runner_shards_configured\{runner=.*\} 16$/m)
        assert.match(metrics, /^mabeam_runner_draining\{runner=.*\} 0$/m)
        assert.strictEqual((yield* runner.probe("/nope")).status, 404)

        const ids = Array.from({ length: 40 }, (_, i) => `p-${i}`)
        const replies = yield* Effect.gen(function* () {
          const tallies = yield* DeployTally.client
          return yield* Effect.forEach(
            ids,
            (id, i) => tallies(id).ask(Add.make({ by: i + 1 }), { timeout: "10 seconds" }),
            { concurrency: 8 }
          )
        }).pipe(Effect.provide(clientLayer(storage, 16)))
        assert.deepStrictEqual(
          replies,
          ids.map((_, i) => i + 1)
        )

        const signalled = Date.now()
        runner.child.kill("SIGTERM")
        const code = yield* runner.exited
        const drainMillis = Date.now() - signalled
        assert.strictEqual(code, 0)
        assert.isBelow(drainMillis, 11_000)
        const messages = runner.logs.map((l) => l.message)
        assert.includeMembers(messages, ["runner started", "SIGTERM received", "runner draining", "runner drained"])
        assert.deepStrictEqual(runner.stderr, [])
        assert.deepStrictEqual(runner.notJson, [], "every stdout line is a JSON log entry")
        assert.isAtLeast(runner.logs.length, 4)
        yield* Effect.log(`drain of one runner: ${drainMillis} ms from SIGTERM to exit`)

        const saved = yield* Effect.gen(function* () {
          const store = yield* AgentStateStore.makeSql()
          return yield* Effect.forEach(ids, (id) => Effect.map(store.load("deploy-tally", id), Option.map(Number)))
        }).pipe(Effect.provide(Layer.orDie(clientLayer(storage, 16))))
        assert.deepStrictEqual(
          saved,
          ids.map((_, i) => Option.some(i + 1))
        )
      }),
    { timeout: 60_000 }
  )

  it.live(
    "an agents module that exports no ClusterAgent: the runner exits 1 and says which module",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        const module = join(dir, "empty.mjs")
        writeFileSync(module, "export const notAnAgent = 42\n")
        const runner = yield* spawnRunner([
          "--storage",
          join(dir, "c.sqlite"),
          "--agents",
          module,
          "--listen",
          `127.0.0.1:${yield* freePort}`
        ])
        assert.strictEqual(yield* runner.exited, 1)
        assert.include(runner.stderr.join("\n"), `agents module ${module}: it exports no ClusterAgent`)
      }),
    { timeout: 60_000 }
  )
})
