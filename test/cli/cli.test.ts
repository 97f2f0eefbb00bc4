import { assert, describe, it } from "@effect/vitest"
import * as Http from "node:http"
import { Effect, FileSystem, Layer } from "effect"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { Probe, serve } from "../../src/dashboard/index.ts"
import { Mabeam } from "../../src/runtime/index.ts"
import { runCli } from "./helpers.ts"

const Idle = Agent.make({
  name: "idle",
  messages: Agent.message("Noop", {}),
  initial: () => 0,
  handle: (s: number) => s
})

describe("mabeam CLI", () => {
  it.live("--help lists every command", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["--help"])
      assert.strictEqual(result.code, 0)
      for (const command of ["run", "inspect", "dashboard", "bench", "sim"]) assert.include(result.out, command)
    })
  )

  it.live("run --help names the scenarios, the flags and examples", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "--help"])
      assert.strictEqual(result.code, 0)
      for (const text of [
        "agents:",
        "auction:",
        "--seed",
        "--agents",
        "--otlp",
        "--dashboard",
        "mabeam run agents --seed 7"
      ]) {
        assert.include(result.out, text)
      }
    })
  )

  it.live("an unknown scenario exits 2 and lists the known ones", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "flagship-typo"])
      assert.strictEqual(result.code, 2)
      assert.include(result.err, `unknown scenario "flagship-typo"`)
      assert.include(result.err, "Known scenarios: flagship, agents, auction, chaos, cluster, tournament")
      assert.include(result.err, "mabeam run --help")
    })
  )

  it.live("run flagship tunes the model in simulated time and prints the summary", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "flagship", "--seed", "5", "--rounds", "2"])
      assert.strictEqual(result.code, 0, result.err)
      assert.match(result.out, /6 cross-validated trials of mljs models/)
      assert.match(result.out, /money conserved/)
    })
  )

  it.live("a missing scenario argument or an unknown flag is a usage error (exit 2)", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* runCli(["run"])).code, 2)
      assert.strictEqual((yield* runCli(["run", "agents", "--sed", "1"])).code, 2)
      assert.strictEqual((yield* runCli(["launch"])).code, 2)
    })
  )

  it.live("flag values out of range exit 2 with the expected range", () =>
    Effect.gen(function* () {
      const agents = yield* runCli(["run", "agents", "--agents", "1"])
      assert.strictEqual(agents.code, 2)
      assert.include(agents.err, "--agents 1 is not valid: expected an integer from 2 to 1000 for agents")
      const bidders = yield* runCli(["run", "auction", "--agents", "101"])
      assert.strictEqual(bidders.code, 2)
      assert.include(bidders.err, "expected an integer from 2 to 100 for auction")
      const otlp = yield* runCli(["run", "agents", "--otlp", "not a url"])
      assert.strictEqual(otlp.code, 2)
      assert.include(otlp.err, "http://127.0.0.1:4318")
    })
  )

  it.live("run agents --seed 1 counts every prime below 20 000 despite the crash, and replays", () =>
    Effect.gen(function* () {
      const first = yield* runCli(["run", "agents", "--seed", "1"])
      assert.strictEqual(first.code, 0, first.err)
      assert.include(first.out, "4 supervised workers counted 2262 primes below 20 000 in 1 round (seed 1)")
      assert.include(first.out, "crashes handled by restart: 1, asks retried elsewhere: 1")
      assert.include(first.out, "agents alive before shutdown: 5")
      const poisoned = (out: string) => out.split("\n").find((line) => line.includes("poisoned ranges"))
      const again = yield* runCli(["run", "agents", "--seed", "1"])
      assert.strictEqual(poisoned(again.out), poisoned(first.out))
    })
  )

  it.live("run agents with more agents and rounds restarts once per round", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "agents", "--agents", "6", "--rounds", "3", "--seed", "9"])
      assert.strictEqual(result.code, 0, result.err)
      assert.include(result.out, "6 supervised workers counted 6786 primes below 20 000 in 3 rounds")
      assert.include(result.out, "crashes handled by restart: 3, asks retried elsewhere: 3")
    })
  )

  it.live("--otlp exports the run's telemetry to that endpoint", () =>
    Effect.gen(function* () {
      const paths: Array<string> = []
      const server = yield* Effect.acquireRelease(
        Effect.callback<Http.Server>((resume) => {
          const s = Http.createServer((req, res) => {
            req.resume()
            req.on("end", () => {
              paths.push(`${req.method} ${req.url}`)
              res.end("{}")
            })
          })
          s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
        }),
        (s) =>
          Effect.callback<void>((resume) => {
            s.close(() => resume(Effect.void))
          })
      )
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      const result = yield* runCli(["run", "agents", "--otlp", `http://127.0.0.1:${port}`])
      assert.strictEqual(result.code, 0, result.err)
      // The final flush happens when the run's scope closes, before the CLI returns.
      assert.include(paths, "POST /v1/metrics")
    })
  )

  it.live("run auction settles both lots and conserves money", () =>
    Effect.gen(function* () {
      const result = yield* runCli(["run", "auction", "--seed", "2"])
      assert.strictEqual(result.code, 0, result.err)
      // Seed 2 draws valuations 180, 117, 109, 102: the English lot goes to the highest value at
      // the second-highest value plus the increment or less; the sealed lot pays the second price.
      assert.include(result.out, "valuations: bidder-1 180, bidder-2 117, bidder-3 109, bidder-4 102")
      assert.include(result.out, "english-1: won by bidder-1, pays 120")
      assert.include(result.out, "second-price-1: won by bidder-2, bid 117, pays 109")
      assert.include(result.out, "ledger audit: supply 800, held 0 (money conserved)")
    })
  )

  it.live("inspect prints the supervision tree, the registry and the ledger", () =>
    Effect.gen(function* () {
      const agents = yield* runCli(["inspect", "agents"])
      assert.strictEqual(agents.code, 0, agents.err)
      assert.include(agents.out, "supervision tree:")
      assert.match(agents.out, /\n {2}workers\n/)
      assert.match(agents.out, /worker-1 \[worker\] running, restarts \d, mailbox 0/)
      assert.include(agents.out, "registry: 5 entries: tally, worker-1, worker-2, worker-3, worker-4")
      const auction = yield* runCli(["inspect", "auction", "--agents", "3"])
      assert.strictEqual(auction.code, 0, auction.err)
      assert.include(auction.out, "ledger balances (available / held):")
      assert.match(auction.out, /\n {2}seller: \d+ \/ 0/)
    })
  )

  it.live("inspect --url prints the live state of a running dashboard, or says how to start one", () =>
    Effect.gen(function* () {
      const dashboard = yield* serve({ port: 0 })
      yield* (yield* AgentSystem).spawn(Idle, { id: "idle-1" })
      yield* (yield* Probe).fact("note", "running elsewhere")
      const live = yield* runCli(["inspect", "--url", dashboard.url])
      assert.strictEqual(live.code, 0, live.err)
      assert.include(live.out, "idle-1 [idle] running, restarts 0, mailbox 0")
      assert.include(live.out, "registry: 1 entries: idle-1")
      assert.include(live.out, "note: running elsewhere")
      const missing = yield* runCli(["inspect", "--url", new URL("/nope/", dashboard.url).href.replace(/:\d+/, ":1")])
      assert.strictEqual(missing.code, 1)
      assert.include(missing.err, "Start a dashboard first")
      assert.strictEqual((yield* runCli(["inspect", "--url", "::"])).code, 2)
    }).pipe(Effect.provide(Layer.merge(Mabeam.layer({ env: {} }), Probe.layer)))
  )

  it.live("bench spawns node --expose-gc bench/run.ts with the filter and passes its exit code on", () =>
    Effect.gen(function* () {
      const ok = yield* runCli(["bench", "--filter", "registry"])
      assert.strictEqual(ok.code, 0)
      assert.deepStrictEqual(
        ok.spawned.map((c) => c.slice(1)),
        [["--expose-gc", "bench/run.ts", "--filter", "registry"]]
      )
      assert.strictEqual(ok.spawned[0]?.[0], process.execPath)
      const failed = yield* runCli(["bench"], { childExitCode: 3 })
      assert.strictEqual(failed.code, 3)
      assert.include(failed.err, "exited with code 3")
    })
  )

  it.live("sim delegates to the simulator runner, or exits 2 when it is not installed", () =>
    Effect.gen(function* () {
      const replay = yield* runCli(["sim", "raft", "--seed", "42"])
      assert.strictEqual(replay.code, 0)
      assert.deepStrictEqual(
        replay.spawned.map((c) => c.slice(1)),
        [["test/sim/run.ts", "raft", "--seed", "42"]]
      )
      const many = yield* runCli(["sim", "lock", "--seeds", "500"])
      assert.deepStrictEqual(
        many.spawned.map((c) => c.slice(1)),
        [["test/sim/run.ts", "lock", "--seeds", "500", "--from", "1"]]
      )
      const missing = yield* runCli(["sim"], {
        fileSystem: FileSystem.layerNoop({ exists: () => Effect.succeed(false) })
      })
      assert.strictEqual(missing.code, 2)
      assert.include(missing.err, `"mabeam sim" is not available here`)
    })
  )
})
