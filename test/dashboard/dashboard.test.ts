import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer } from "effect"
import { TestConsole } from "effect/testing"
import { Agent, AgentSystem } from "../../src/agent/index.ts"
import { agents as agentsScenario, auction, coordination, runScenario } from "../../src/cli/index.ts"
import { Probe, serve, Snapshot } from "../../src/dashboard/index.ts"
import { Mabeam } from "../../src/runtime/index.ts"
import { get, waitFor } from "./sse.ts"

const Live = Layer.merge(Mabeam.layer({ env: {} }), Probe.layer)

const Crash = Agent.message("Crash", {})
const Crasher = Agent.make({
  name: "crasher",
  messages: Crash,
  initial: () => 0,
  handle: () => {
    throw new Error("boom")
  }
})

describe("dashboard", () => {
  it.live("serves the page, a JSON snapshot, 404 for the rest — on 127.0.0.1", () =>
    Effect.gen(function* () {
      const dashboard = yield* serve({ port: 0 })
      assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
      assert.isAbove(dashboard.port, 0)
      const page = yield* get(dashboard.url)
      assert.strictEqual(page.status, 200)
      assert.include(page.type, "text/html")
      for (const id of [
        "agents-alive",
        "queued",
        "restarts",
        "registry-size",
        "seq",
        "auctions",
        "last-token",
        "leaders",
        "locks",
        "participants"
      ])
        assert.include(page.body, `id="${id}"`)
      assert.include(page.body, `new EventSource("/events")`)
      const snapshot = yield* get(new URL("/snapshot", dashboard.url).href)
      assert.strictEqual(snapshot.status, 200)
      assert.include(snapshot.type, "application/json")
      const parsed = JSON.parse(snapshot.body) as Snapshot.Snapshot
      assert.strictEqual(parsed.agents.alive, 0)
      assert.deepStrictEqual(parsed.auctions, [])
      assert.isUndefined(parsed.coordination)
      assert.deepStrictEqual(
        parsed.supervisors.map((s) => s.name),
        ["root"]
      )
      assert.strictEqual((yield* get(new URL("/nope", dashboard.url).href)).status, 404)
    }).pipe(Effect.provide(Live))
  )

  it.live("the event stream follows agents, restarts and the registry as they change", () =>
    Effect.gen(function* () {
      const dashboard = yield* serve({ port: 0, intervalMillis: 10 })
      const system = yield* AgentSystem
      const before = yield* waitFor(dashboard.url, () => true)
      assert.strictEqual(before.agents.alive, 0)
      const crasher = yield* system.spawn(Crasher, { id: "crasher" })
      yield* system.spawn(Crasher, { id: "bystander" })
      const spawned = yield* waitFor(dashboard.url, (s) => s.agents.alive === 2 && s.registry.size === 2)
      assert.deepStrictEqual(spawned.registry.keys, ["bystander", "crasher"])
      yield* crasher.tell(Crash.make({}))
      const restarted = yield* waitFor(dashboard.url, (s) => s.agents.restarts === 1)
      // Agents spawned without a supervisor live under their definition's group (agents/crasher).
      assert.deepStrictEqual(
        restarted.supervisors.map((s) => s.name),
        ["root", "agents/crasher"]
      )
      const child = restarted.supervisors[1]?.children.find((c) => c.id === "crasher")
      assert.deepStrictEqual(child, { id: "crasher", running: true, restarts: 1, kind: "crasher", mailbox: 0 })
    }).pipe(Effect.provide(Live))
  )

  it.live("while the agents scenario runs, live values change: phase, queued messages, restarts", () =>
    Effect.gen(function* () {
      const url = yield* Deferred.make<string>()
      const run = yield* runScenario(agentsScenario, {
        seed: 5,
        rounds: 5,
        paceMillis: 10,
        dashboardPort: 0,
        intervalMillis: 5,
        hold: true,
        onDashboard: (dashboard) => Deferred.succeed(url, dashboard.url).pipe(Effect.asVoid)
      }).pipe(Effect.provide(TestConsole.layer), Effect.forkChild)
      const base = yield* Deferred.await(url)
      const busy = yield* waitFor(base, (s) => s.phase.startsWith("round") && s.agents.queued > 0)
      assert.strictEqual(busy.scenario, "agents")
      assert.deepStrictEqual(
        busy.supervisors.map((s) => s.name),
        ["root", "agents/tally", "workers"]
      )
      const done = yield* waitFor(base, (s) => s.phase === "done")
      assert.strictEqual(done.agents.restarts, 5)
      assert.strictEqual(done.agents.alive, 5)
      assert.deepStrictEqual(done.facts.find((f) => f.key === "primes counted")?.value, String(5 * 2262))
      // `hold` keeps serving the final state until the run is interrupted (Ctrl+C in the CLI).
      assert.isUndefined(run.pollUnsafe())
      yield* Fiber.interrupt(run)
    })
  )

  it.live("the auction scenario shows ledger balances and auctions; Snapshot.format prints them for inspect", () =>
    Effect.gen(function* () {
      const url = yield* Deferred.make<string>()
      const run = yield* runScenario(auction, {
        seed: 4,
        rounds: 1,
        paceMillis: 0,
        dashboardPort: 0,
        intervalMillis: 10,
        hold: true,
        onDashboard: (dashboard) => Deferred.succeed(url, dashboard.url).pipe(Effect.asVoid)
      }).pipe(Effect.provide(TestConsole.layer), Effect.forkChild)
      const done = yield* waitFor(yield* Deferred.await(url), (s) => s.phase === "done")
      assert.deepStrictEqual(
        done.ledger.map((b) => b.account),
        ["seller", "bidder-1", "bidder-2", "bidder-3", "bidder-4"]
      )
      assert.isAbove(Number(done.ledger[0]?.available), 0)
      assert.isTrue(done.ledger.every((b) => b.held === "0"))
      const text = Snapshot.format(done)
      assert.include(text, "ledger balances (available / held):")
      assert.include(text, "scenario auction (done)")
      // Both lots are listed once settled, with the award; amounts are strings (JSON has no bigint).
      assert.deepStrictEqual(
        done.auctions.map((a) => [a.id, a.kind, a.status, a.reserve]),
        [
          ["english-1", "english", "settled", "20"],
          ["second-price-1", "second-price", "settled", "20"]
        ]
      )
      const english = done.auctions[0]
      assert.isDefined(english?.winner)
      assert.strictEqual(typeof english?.payment, "string")
      assert.include(
        text,
        `\nauctions:\n  english-1 [english] settled: ${english?.bids} bids, won by ${english?.winner}, pays ${english?.payment}\n`
      )
      yield* Fiber.interrupt(run)
    })
  )

  it.live(
    "the coordination scenario streams its leader and term, the lock with increasing tokens, and the participants",
    () =>
      Effect.gen(function* () {
        const url = yield* Deferred.make<string>()
        const run = yield* runScenario(coordination, {
          seed: 3,
          rounds: 100,
          paceMillis: 20,
          dashboardPort: 0,
          intervalMillis: 10,
          hold: true,
          onDashboard: (dashboard) => Deferred.succeed(url, dashboard.url).pipe(Effect.asVoid)
        }).pipe(Effect.provide(TestConsole.layer), Effect.forkChild)
        const base = yield* Deferred.await(url)
        const leading = yield* waitFor(
          base,
          (s) => s.coordination?.elections[0]?.leader !== undefined && (s.coordination?.locks.length ?? 0) > 0
        )
        const c = leading.coordination!
        const election = c.elections[0]!
        assert.strictEqual(election.group, "workers")
        assert.match(election.leaderHolder ?? "", /^worker-[123]$/)
        assert.isAtLeast(election.term, 1)
        assert.strictEqual(c.locks[0]?.name, "journal")
        const first = c.locks[0]!.token
        assert.strictEqual(c.lastToken, first)
        assert.deepStrictEqual(
          c.participants.map((p) => [p.name, p.up]),
          [
            ["lock/owner", true],
            ["propose/plan/replica-0", true],
            ["propose/plan/replica-1", true],
            ["propose/plan/replica-2", true]
          ]
        )
        // Seed 3 crashes the leader after round 7: a later snapshot shows a higher term and token.
        const later = yield* waitFor(
          base,
          (s) =>
            (s.coordination?.elections[0]?.term ?? 0) > election.term && (s.coordination?.locks[0]?.token ?? 0) > first
        )
        assert.isAbove(later.coordination!.lastToken, first)
        assert.deepStrictEqual(
          later.supervisors.map((s) => s.name),
          ["root", "electors"]
        )
        assert.isAtLeast(later.agents.restarts, 1)
        const text = Snapshot.format(later)
        assert.include(text, "coordination (lock served by one owner, last fencing token ")
        assert.match(text, /\n {2}election workers: leader seat-\d \(worker-\d\), term \d+/)
        assert.match(text, /\n {2}lock journal: token \d+, held by worker-\d/)
        yield* Fiber.interrupt(run)
      })
  )

  it.live("a taken port is reported as a usage error naming --port", () =>
    Effect.gen(function* () {
      const first = yield* serve({ port: 0 })
      const error = yield* Effect.flip(
        runScenario(agentsScenario, {
          seed: 1,
          rounds: 1,
          paceMillis: 0,
          dashboardPort: first.port
        }).pipe(Effect.provide(TestConsole.layer))
      )
      assert.strictEqual(error._tag, "InvalidOption")
      assert.include(error.message, `--port ${first.port} is not valid`)
    }).pipe(Effect.provide(Live))
  )
})
