/**
 * Rolling restart without loss: three `mabeam runner` processes on loopback share one storage
 * (a SQLite file; Postgres too when MABEAM_PG_URL is set), a client in this process sends a steady
 * load of tells and asks to 10,000 agent ids, and the runners are restarted one at a time with
 * SIGTERM (each back and ready before the next), then one is killed with SIGKILL. Asserted: every
 * drained runner exits 0; every message is acknowledged or fails with a typed error (no defect, no
 * hang past its deadline); every acknowledged increment is in the agents' persisted totals.
 * Reported: availability (answered within the deadline / sent) and p99 latency per phase.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Ref } from "effect"
import { AgentStateStore } from "../../src/cluster/index.ts"
import { freePort } from "../../src/transport/index.ts"
import { freshDatabase, pgSkipReason } from "../cluster/pg.ts"
import { DeployTally } from "./agents.ts"
import { clientLayer } from "./client.ts"
import { format, makeLoad, report, runLoad } from "./load.ts"
import { eventually, type RunnerProcess, spawnRunner } from "./process.ts"

const pgSkip = await pgSkipReason("test/runner/rolling-restart.test.ts")
const agents = join(import.meta.dirname, "agents.ts")
const SHARDS = 32
const IDS = 10_000

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-rolling-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const readyChecks = (runner: RunnerProcess) =>
  Effect.map(runner.probe("/readyz"), (r) => ({
    ok: r.status === 200,
    shards: (JSON.parse(r.body) as { checks: { shards: number } }).checks.shards
  }))

const rollingRestart = (label: string, storage: string) =>
  Effect.gen(function* () {
    const ports = yield* Effect.forEach([0, 1, 2], () => freePort)
    const start = (i: number) =>
      spawnRunner([
        "--storage",
        storage,
        "--agents",
        agents,
        "--listen",
        `127.0.0.1:${ports[i]}`,
        "--name",
        `r${i + 1}`,
        "--shards-per-group",
        String(SHARDS),
        "--drain-timeout",
        "10 seconds"
      ]).pipe(Effect.tap((r) => r.started))
    const runners: Array<RunnerProcess> = yield* Effect.forEach([0, 1, 2], start, { concurrency: 3 })
    const allHeld = (live: ReadonlyArray<RunnerProcess>) =>
      Effect.map(
        Effect.forEach(live, readyChecks),
        (checks) => checks.every((c) => c.ok) && checks.reduce((n, c) => n + c.shards, 0) === SHARDS
      )
    yield* eventually(allHeld(runners), "30 seconds", "three runners ready, every shard held")

    const load = yield* makeLoad("steady")
    const phases: Array<{ name: string; at: number }> = [{ name: "steady", at: Date.now() }]
    const phase = (name: string) =>
      Effect.andThen(
        Ref.set(load.phase, name),
        Effect.sync(() => phases.push({ name, at: Date.now() }))
      ).pipe(Effect.andThen(Effect.log(`${label}: phase ${name}, ${load.outcomes.length} messages so far`)))
    const refs = yield* DeployTally.client
    const sender = yield* Effect.forkChild(
      runLoad({ load, refs, ids: IDS, workers: 16, seed: 7, deadlineMillis: 5_000 })
    )
    yield* Effect.sleep("2 seconds")

    for (const i of [0, 1, 2]) {
      yield* phase(`SIGTERM r${i + 1}`)
      runners[i]!.child.kill("SIGTERM")
      assert.strictEqual(yield* runners[i]!.exited, 0, `r${i + 1} drained and exited 0`)
      assert.include(
        runners[i]!.logs.map((l) => l.message),
        "runner drained"
      )
      runners[i] = yield* start(i)
      yield* eventually(allHeld(runners), "30 seconds", `r${i + 1} back and every shard held`)
    }
    yield* phase("SIGKILL r2")
    runners[1]!.child.kill("SIGKILL")
    yield* runners[1]!.exited
    yield* eventually(allHeld([runners[0]!, runners[2]!]), "30 seconds", "the survivors hold every shard")
    yield* phase("after failover")
    yield* Effect.sleep("2 seconds")
    yield* Fiber.interrupt(sender)
    const ended = Date.now()
    yield* Effect.log(`${label}: load stopped`)

    const reports = report(
      load.outcomes,
      phases.map((p, i) => ({ name: p.name, seconds: ((phases[i + 1]?.at ?? ended) - p.at) / 1000 }))
    )
    yield* Effect.log(`rolling restart on ${label} (${IDS} ids, 16 senders, deadline 5 s):\n${format(reports)}`)
    // Every outcome is an acknowledgement or a typed error the callers can act on.
    const typed = new Set(["ok", "AskTimeout", "TellTimeout", "AgentStopped", "MailboxFull"])
    assert.deepStrictEqual(
      load.outcomes.filter((o) => !typed.has(o.result.split("(")[0]!)),
      []
    )
    assert.isAbove(reports[0]!.answered, 0, "the load ran")

    // Every acknowledged increment is in the persisted totals (stored messages still in flight to
    // a new owner are handled within its poll interval).
    const store = yield* AgentStateStore.makeSql()
    const touched = [...load.acknowledged.entries()]
    const lagging = Effect.map(
      Effect.forEach(
        touched,
        ([id, acked]) =>
          Effect.map(store.load("deploy-tally", id), (saved) =>
            Option.match(saved, { onNone: () => 0, onSome: Number }) < acked ? [id] : []
          ),
        { concurrency: 16 }
      ),
      (rows) => rows.flat()
    )
    yield* eventually(
      Effect.map(lagging, (ids) => ids.length === 0),
      "20 seconds",
      "acknowledged increments persisted"
    ).pipe(
      Effect.catchDefect((defect) =>
        Effect.flatMap(lagging, (ids) =>
          Effect.die(new Error(`${String(defect)}; lagging: ${ids.slice(0, 10).join(", ")} (${ids.length})`))
        )
      )
    )
    const totals = yield* Effect.forEach(
      touched,
      ([id]) => Effect.map(store.load("deploy-tally", id), Option.match({ onNone: () => 0, onSome: Number })),
      { concurrency: 16 }
    )
    const over = touched.filter(([id], i) => totals[i]! > (load.sent.get(id) ?? 0)).length
    yield* Effect.log(
      `${touched.length} agents touched, ${load.outcomes.length} messages, ${over} agents with more increments than sent (duplicates)`
    )
  }).pipe(Effect.provide(clientLayer(storage, SHARDS)))

// The variants run one after the other: side by side on 2 cores they were slower than in turn.
describe("rolling restart of three runner processes", () => {
  it.live(
    "on a shared SQLite file: drained runners exit 0, every message acknowledged or typed, every acknowledgement persisted",
    () =>
      Effect.gen(function* () {
        const dir = yield* tempDir
        yield* rollingRestart("SQLite", join(dir, "cluster.sqlite"))
      }),
    { timeout: 180_000 }
  )

  it.live.skipIf(pgSkip !== undefined)(
    `on Postgres: drained runners exit 0, every message acknowledged or typed, every acknowledgement persisted${pgSkip === undefined ? "" : ` (skipped: ${pgSkip})`}`,
    () =>
      Effect.gen(function* () {
        yield* rollingRestart("Postgres", yield* freshDatabase("mabeam_rolling"))
      }),
    { timeout: 180_000 }
  )
})
