import { mkdtempSync, rmSync } from "node:fs"
import { type AddressInfo, createServer, type Server } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { freePort } from "../../src/transport/index.ts"
import { Probes, Runner, RunnerConfig, RunnerStatus } from "../../src/runner/index.ts"
import { eventually } from "./process.ts"

const get = (port: number, path: string) =>
  Effect.promise(async () => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`)
    return {
      status: response.status,
      body: (await response.json()) as { status: string; checks: Record<string, unknown> }
    }
  })

const checks = (over: Partial<Probes.Readiness["checks"]> = {}): Probes.Readiness["checks"] => ({
  registered: true,
  shards: 3,
  storage: "ok",
  draining: false,
  ...over
})

describe("probes", () => {
  it("a runner is ready only when registered, holding a shard, with its storage answering, and not draining", () => {
    assert.isTrue(Probes.isReady(checks()))
    assert.isFalse(Probes.isReady(checks({ registered: false })))
    assert.isFalse(Probes.isReady(checks({ shards: 0 })))
    assert.isFalse(Probes.isReady(checks({ storage: "timed out after 2 s" })))
    assert.isFalse(Probes.isReady(checks({ draining: true })))
  })

  it.live("/readyz answers 200 or 503 with the checks; /healthz answers 200 while the event loop is responsive", () =>
    Effect.gen(function* () {
      let current = checks()
      const port = yield* Probes.serve({
        host: "127.0.0.1",
        port: 0,
        runner: "r1",
        shardsPerGroup: 8,
        readiness: Effect.sync(() => ({ ready: Probes.isReady(current), checks: current }))
      })
      const ok = yield* get(port, "/readyz")
      assert.deepStrictEqual(ok, { status: 200, body: { status: "ok", checks: current } })
      current = checks({ storage: "unreachable: connection refused" })
      const down = yield* get(port, "/readyz")
      assert.deepStrictEqual(down, { status: 503, body: { status: "unavailable", checks: current } })
      const health = yield* get(port, "/healthz")
      assert.strictEqual(health.status, 200)
      assert.strictEqual(health.body.checks["limitMs"], 2000)
    }).pipe(Effect.scoped)
  )

  it.live("/healthz answers 503 after the event loop was blocked longer than the limit", () =>
    Effect.gen(function* () {
      const port = yield* Probes.serve({
        host: "127.0.0.1",
        port: 0,
        runner: "r1",
        shardsPerGroup: 8,
        readiness: Effect.succeed({ ready: true, checks: checks() }),
        maxEventLoopDelay: "100 millis"
      })
      yield* get(port, "/healthz")
      // A synchronous stall of the event loop, as a runaway handler would make.
      const until = Date.now() + 400
      while (Date.now() < until) {
        /* blocked */
      }
      yield* Effect.sleep("50 millis")
      const stalled = yield* get(port, "/healthz")
      assert.strictEqual(stalled.status, 503, JSON.stringify(stalled.body))
      assert.isAbove(stalled.body.checks["eventLoopDelayMaxMs"] as number, 100)
      const recovered = yield* get(port, "/healthz")
      assert.strictEqual(recovered.status, 200)
    }).pipe(Effect.scoped)
  )

  it.live(
    "an embedded Runner.layer becomes ready, and answers 503 on /readyz (200 on /healthz) once its drain starts",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-runner-layer-"))),
          (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
        )
        const settings = yield* RunnerConfig.decode({
          storage: join(dir, "c.sqlite"),
          agents: join(import.meta.dirname, "agents.ts"),
          listen: `127.0.0.1:${yield* freePort}`,
          health: "127.0.0.1:0",
          shardsPerGroup: "8"
        })
        const context = yield* Layer.build(Runner.layer(settings))
        const status = Context.get(context, RunnerStatus)
        assert.deepStrictEqual(status.kinds, ["deploy-tally", "deploy-volatile"])
        yield* eventually(
          Effect.map(get(status.probePort, "/readyz"), (r) => r.status === 200),
          "20 seconds",
          "ready"
        )
        yield* status.startDrain
        const draining = yield* get(status.probePort, "/readyz")
        assert.strictEqual(draining.status, 503)
        assert.deepStrictEqual(draining.body.checks, { registered: true, shards: 8, storage: "ok", draining: true })
        assert.strictEqual((yield* get(status.probePort, "/healthz")).status, 200)
      }).pipe(Effect.scoped),
    { timeout: 40_000 }
  )

  it.live(
    "a probe port already taken: the runner fails to start with a ListenError naming --health and the address",
    () =>
      Effect.gen(function* () {
        const dir = yield* Effect.acquireRelease(
          Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-runner-layer-"))),
          (d) => Effect.sync(() => rmSync(d, { recursive: true, force: true }))
        )
        const taken = yield* Effect.acquireRelease(
          Effect.promise(
            () =>
              new Promise<Server>((resolve) => {
                const server = createServer().listen(0, "127.0.0.1", () => resolve(server))
              })
          ),
          (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
        )
        const port = (taken.address() as AddressInfo).port
        const settings = yield* RunnerConfig.decode({
          storage: join(dir, "c.sqlite"),
          agents: join(import.meta.dirname, "agents.ts"),
          listen: `127.0.0.1:${yield* freePort}`,
          health: `127.0.0.1:${port}`
        })
        const error = yield* Effect.flip(Runner.run(settings, { shutdown: Effect.never }))
        assert.strictEqual(error._tag, "ListenError")
        assert.include(error.message, `cannot listen for probes (--health) on 127.0.0.1:${port}`)
      }).pipe(Effect.scoped),
    { timeout: 30_000 }
  )
})
