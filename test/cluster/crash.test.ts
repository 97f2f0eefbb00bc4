import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqliteClient } from "../../src/sql/index.ts"
import { eventually, Get, Increment } from "./fixtures.ts"
import { freePort, LoopbackCounter, ownerOf, startRunner } from "./runner-layer.ts"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-cluster-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** A runner in a child process on 127.0.0.1:`port`; killed (SIGKILL) when the scope closes at the latest. */
const spawnRunner = (port: number, filename: string) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      spawn(process.execPath, [join(import.meta.dirname, "runner-process.ts"), String(port), filename], {
        stdio: ["pipe", "pipe", "inherit"]
      })
    ),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  ).pipe(
    Effect.tap((child) =>
      Effect.callback<void>((resume) => {
        let output = ""
        child.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString()
          if (output.includes("ready")) resume(Effect.void)
        })
        child.on("exit", (code) => resume(Effect.die(new Error(`runner process exited early (${code})`))))
      }).pipe(Effect.timeout("20 seconds"))
    )
  )

describe("a runner process killed with SIGKILL", () => {
  it.live("its agents move to the surviving runner with every acknowledged change", () =>
    Effect.gen(function*() {
      const filename = join(yield* tempDir, "cluster.sqlite")
      const sql = yield* Layer.build(SqliteClient.layer({ filename }))
      const a = yield* startRunner(sql, yield* freePort)
      const ids = Array.from({ length: 64 }, (_, i) => `agent-${i}`)
      yield* eventually(Effect.sync(() => ids.every((id) => ownerOf([a.sharding], id) === 0)), "20 seconds")

      const child = yield* spawnRunner(yield* freePort, filename)
      // The new runner joins: this runner hands it part of the shards.
      yield* eventually(Effect.sync(() => ids.some((id) => ownerOf([a.sharding], id) === -1)), "20 seconds")
      const counters = yield* Effect.provideContext(LoopbackCounter.client, a.context)
      const onB = ids.filter((id) => ownerOf([a.sharding], id) === -1)
      yield* Effect.forEach(onB, (id, i) => counters(id).tell(Increment.make({ by: i + 1 })), { discard: true })
      // An answered ask means the state it reports is saved.
      const acknowledged = yield* Effect.forEach(onB, (id) => counters(id).ask(Get.make({}), { timeout: "10 seconds" }))
      assert.deepStrictEqual(acknowledged, onB.map((_, i) => i + 1))

      child.kill("SIGKILL")
      const killedAt = Date.now()
      yield* eventually(Effect.sync(() => ids.every((id) => ownerOf([a.sharding], id) === 0)), "25 seconds")
      const after = yield* Effect.forEach(onB, (id) => counters(id).ask(Get.make({}), { timeout: "10 seconds" }))
      yield* Effect.log(`failover: ${onB.length} agents reachable again ${Date.now() - killedAt} ms after SIGKILL`)
      assert.deepStrictEqual(after, acknowledged)
    }), { timeout: 55_000 })
})
