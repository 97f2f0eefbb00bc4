/**
 * `npm run cluster:demo`, run small: the CLI (examples/cluster-demo.ts) in a child process with two
 * runner processes, three workers and three trials on a SQLite file. It must exit 0, say which
 * runner served which worker, print the scores the flagship worker gives for those draws in this
 * process, and leave no runner process behind.
 */
import { spawn } from "node:child_process"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import { drawOf } from "../../apps/cluster-demo/index.ts"
import { crossValidate } from "../../apps/ml/index.ts"

const cli = join(import.meta.dirname, "..", "..", "examples", "cluster-demo.ts")

/** Runs the CLI; SIGKILLed if the scope closes first (its runners stop when their stdin closes). */
const runCli = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const env = { ...process.env }
      delete env["MABEAM_PG_URL"]
      return spawn(process.execPath, [cli, ...args], { env, stdio: ["ignore", "pipe", "pipe"] })
    }),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  ).pipe(
    Effect.flatMap((child) =>
      Effect.callback<{ readonly code: number | null; readonly out: string; readonly err: string }>((resume) => {
        let out = ""
        let err = ""
        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
        child.on("close", (code) => resume(Effect.succeed({ code, out, err })))
      })
    )
  )

/** The score the flagship worker gives trial `trial` of run `seed`. */
const expectedScore = (seed: string, trial: number) =>
  Effect.flatMap(drawOf(seed, trial), (assignment) =>
    crossValidate([assignment], { foldSeed: `${seed}-folds` }).pipe(Random.withSeed(`${seed}-trial-${trial}`))
  )

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("npm run cluster:demo", () => {
  it.live(
    "spreads flagship workers over runner processes, prints who served whom and the scores, exits 0",
    () =>
      Effect.gen(function* () {
        const seed = "demo-test"
        const { code, err, out } = yield* runCli(["--runners", "2", "--agents", "3", "--trials", "3", "--seed", seed])
        assert.strictEqual(code, 0, `exit ${code}\n${out}\n${err}`)
        const lines = out.split("\n")

        const pids = lines
          .flatMap((line) => /^ {2}runner-\d: 127\.0\.0\.1:\d+, pid (\d+)$/.exec(line)?.[1] ?? [])
          .map(Number)
        assert.strictEqual(pids.length, 2, out)
        assert.isTrue(
          pids.every((pid) => !isAlive(pid)),
          "a runner process outlived the demo"
        )

        for (const worker of ["worker-0", "worker-1", "worker-2"]) {
          assert.match(out, new RegExp(`^ {2}${worker} on runner-[12]: 1 trial, best `, "m"))
        }
        const served = lines.flatMap((line) => /^ {2}runner-\d served (\d+) agents?/.exec(line)?.[1] ?? []).map(Number)
        assert.deepStrictEqual(
          served.reduce((a, b) => a + b, 0),
          3
        )

        // Each trial's score is the one the flagship worker computes here for the same draw.
        const expected = yield* Effect.forEach([0, 1, 2], (trial) => expectedScore(seed, trial))
        for (const [trial, accuracy] of expected.entries()) {
          assert.match(out, new RegExp(`trial ${trial}: worker-${trial} .* -> ${(accuracy * 100).toFixed(1)}%`))
        }
        assert.match(out, new RegExp(`^best: ${(Math.max(...expected) * 100).toFixed(1)}%`, "m"))
        assert.match(out, /^timing: cluster up in \d+ ms, 3 trials in \d+ ms$/m)
      }),
    { timeout: 60_000 }
  )

  it.live(
    "by default runs the whole flagship team, its workers on the runners: auctions, chaos, money conserved",
    () =>
      Effect.gen(function* () {
        const { code, err, out } = yield* runCli([
          "--runners",
          "2",
          "--agents",
          "3",
          "--rounds",
          "2",
          "--seed",
          "team-test"
        ])
        assert.strictEqual(code, 0, `exit ${code}\n${out}\n${err}`)
        const pids = out
          .split("\n")
          .flatMap((line) => /^ {2}runner-\d: 127\.0\.0\.1:\d+, pid (\d+)$/.exec(line)?.[1] ?? [])
          .map(Number)
        assert.strictEqual(pids.length, 2, out)
        assert.isTrue(
          pids.every((pid) => !isAlive(pid)),
          "a runner process outlived the demo"
        )
        assert.match(out, /3 workers, the flagship team, 2 rounds, seed "team-test"/)
        for (const worker of ["worker-0", "worker-1", "worker-2"])
          assert.match(out, new RegExp(`^ {2}${worker} on runner-[12]$`, "m"))
        // The flagship's own summary: 2 rounds of 3 auctioned slots, each trial run by a cluster worker.
        assert.match(out, /^mabeam flagship: 6 cross-validated trials of mljs models on the iris data/m)
        assert.match(out, /^ {2}strategy {3}slots won/m)
        assert.match(out, /killed workers brought back by their runner/)
        assert.match(out, /^ {2}ledger: money conserved, no escrow left$/m)
      }),
    { timeout: 90_000 }
  )
})
