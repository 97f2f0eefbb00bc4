/**
 * The dashboard in a real browser: headless Chromium (Debian's `chromium`) loads the page while
 * the agents scenario runs, and the test waits — on DOM mutations, not on time — until the live
 * values have changed, then saves a screenshot to test-results/dashboard.png. With the coordination
 * scenario it waits until the Coordination panel shows a leader and the lock's fencing token has
 * grown, and saves test-results/dashboard-coordination.png. Skipped when no Chromium is installed
 * (`apt-get install -y chromium`).
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TestConsole } from "effect/testing"
import { agents, auction, coordination, projectRoot, runScenario, type Scenario } from "../../src/cli/index.ts"
import { findChromium, openPage } from "./cdp.ts"

const chromium = findChromium()

/**
 * Starts `scenario` with its dashboard (kept serving after it ends) in a fiber of the test, and
 * opens the dashboard's page in Chromium once it listens.
 */
const openDuringRun = (
  scenario: Scenario,
  options: { readonly seed: number; readonly rounds: number; readonly paceMillis: number }
) =>
  Effect.gen(function* () {
    const url = yield* Deferred.make<string>()
    const run = yield* runScenario(scenario, {
      ...options,
      dashboardPort: 0,
      intervalMillis: 50,
      hold: true,
      onDashboard: (dashboard) => Deferred.succeed(url, dashboard.url).pipe(Effect.asVoid)
    }).pipe(Effect.provide(TestConsole.layer), Effect.forkChild)
    const page = yield* openPage(chromium!)
    yield* page.goto(yield* Deferred.await(url))
    return { page, run }
  })

interface Reading {
  readonly seq: number
  readonly phase: string
  readonly agents: number
  readonly queued: number
  readonly restarts: number
  readonly registry: number
  readonly status: string
}

// Resolves once the page has redrawn from at least 5 more snapshots, the restart count has grown
// twice and the phase has moved on; every check runs on a DOM mutation.
const waitForChange = `new Promise((resolve) => {
  const text = (id) => document.getElementById(id).textContent
  const read = () => ({
    seq: Number(text("seq")), phase: text("phase"), agents: Number(text("agents-alive")),
    queued: Number(text("queued")), restarts: Number(text("restarts")), registry: Number(text("registry-size")),
    status: text("status")
  })
  let first
  const check = () => {
    const now = read()
    if (first === undefined) { if (now.seq > 0) first = now; return }
    if (now.seq >= first.seq + 5 && now.restarts >= first.restarts + 2 && now.phase !== first.phase) {
      observer.disconnect()
      resolve({ first, now })
    }
  }
  const observer = new MutationObserver(check)
  observer.observe(document.body, { subtree: true, childList: true, characterData: true })
  check()
})`

describe("dashboard in headless Chromium", () => {
  it.live.skipIf(chromium === undefined)(
    "the page shows live values changing while a scenario runs; screenshot saved",
    () =>
      Effect.gen(function* () {
        const { page, run } = yield* openDuringRun(agents, { seed: 3, rounds: 500, paceMillis: 20 })
        const { first, now } = yield* page.evaluate<{ first: Reading; now: Reading }>(waitForChange)
        assert.strictEqual(now.status, "live")
        assert.strictEqual(now.agents, 5)
        assert.strictEqual(now.registry, 5)
        assert.isAtLeast(now.restarts, first.restarts + 2)
        assert.notStrictEqual(now.phase, first.phase)
        assert.match(now.phase, /^round \d+\/500$/)
        const shot = yield* page.send("Page.captureScreenshot", { format: "png" })
        const dir = join(projectRoot, "test-results")
        mkdirSync(dir, { recursive: true })
        writeFileSync(join(dir, "dashboard.png"), Buffer.from(String(shot["data"]), "base64"))
        yield* Fiber.interrupt(run)
      }).pipe(Effect.timeout("30 seconds"))
  )

  // Resolves with the rows of the auctions panel once english-1 is listed open with a bid.
  const waitForAuction = `new Promise((resolve) => {
    const rows = () => [...document.querySelectorAll("#auctions tr[data-auction]")].map((tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.textContent))
    const check = () => {
      const found = rows().find((cells) => cells[0] === "english-1" && cells[2] === "open" && Number(cells[3]) > 0)
      if (found !== undefined) { observer.disconnect(); resolve(found) }
    }
    const observer = new MutationObserver(check)
    observer.observe(document.body, { subtree: true, childList: true, characterData: true })
    check()
  })`

  it.live.skipIf(chromium === undefined)(
    "the auctions panel lists the open English auction with its bids and high bid",
    () =>
      Effect.gen(function* () {
        // At 100 ms per answer the English lot stays open for seconds: longer than Chromium takes to load.
        const { page, run } = yield* openDuringRun(auction, { seed: 2, rounds: 1, paceMillis: 100 })
        const row = yield* page.evaluate<ReadonlyArray<string>>(waitForAuction)
        // auction, kind, status, bids, price, reserve, closes
        assert.strictEqual(row[1], "english")
        assert.match(row[4] ?? "", /^\d+$/)
        assert.strictEqual(row[5], "20")
        assert.match(row[6] ?? "", /^in \d+ ms$/)
        yield* Fiber.interrupt(run)
      }).pipe(Effect.timeout("30 seconds"))
  )

  // Resolves once the Coordination panel shows a leader of "workers" and the lock "journal" held
  // by that leader's worker under a token at least 3 above the first one seen (every check on a DOM mutation).
  const waitForCoordination = `new Promise((resolve) => {
    const cells = (tr) => tr === null ? undefined : [...tr.querySelectorAll("td")].map((td) => td.textContent)
    const read = () => ({
      leader: cells(document.querySelector('#leaders tr[data-group="election:workers"]')),
      lock: cells(document.querySelector('#locks tr[data-lock="journal"]')),
      participants: [...document.querySelectorAll("#participants span")].map((s) => s.textContent + " " + s.className),
      lastToken: Number(document.getElementById("last-token").textContent)
    })
    let first
    const check = () => {
      const now = read()
      if (now.leader === undefined || now.lock === undefined || now.leader[2] === "none") return
      if (first === undefined) { first = now; return }
      if (Number(now.lock[1]) >= Number(first.lock[1]) + 3) { observer.disconnect(); resolve({ first, now }) }
    }
    const observer = new MutationObserver(check)
    observer.observe(document.body, { subtree: true, childList: true, characterData: true })
    check()
  })`

  interface CoordinationReading {
    readonly leader: ReadonlyArray<string>
    readonly lock: ReadonlyArray<string>
    readonly participants: ReadonlyArray<string>
    readonly lastToken: number
  }

  it.live.skipIf(chromium === undefined)(
    "the Coordination panel shows the leader with its term and the lock's token increasing; screenshot saved",
    () =>
      Effect.gen(function* () {
        const { page, run } = yield* openDuringRun(coordination, { seed: 3, rounds: 1_000, paceMillis: 60 })
        const { first, now } = yield* page.evaluate<{ first: CoordinationReading; now: CoordinationReading }>(
          waitForCoordination
        )
        // leaders row: kind, group, leader, term, detail
        assert.deepStrictEqual(now.leader.slice(0, 2), ["election", "workers"])
        assert.match(now.leader[2] ?? "", /^seat-\d \(worker-\d\)$/)
        assert.isAtLeast(Number(now.leader[3]), 1)
        assert.match(now.leader[4] ?? "", /^lease \d+ ms$/)
        // locks row: lock, token, holder, lease
        assert.strictEqual(now.lock[0], "journal")
        assert.isAtLeast(Number(now.lock[1]), Number(first.lock[1]) + 3)
        assert.match(now.lock[2] ?? "", /^worker-\d$/)
        assert.match(now.lock[3] ?? "", /^\d+ ms left$/)
        assert.isAtLeast(now.lastToken, Number(now.lock[1]))
        assert.includeMembers([...now.participants], ["lock/owner up", "propose/plan/replica-0 up"])
        // The whole page, not only the viewport.
        const metrics = yield* page.send("Page.getLayoutMetrics")
        const size = metrics["cssContentSize"] as { readonly width: number; readonly height: number }
        const shot = yield* page.send("Page.captureScreenshot", {
          format: "png",
          captureBeyondViewport: true,
          clip: { x: 0, y: 0, width: size.width, height: size.height, scale: 1 }
        })
        const dir = join(projectRoot, "test-results")
        mkdirSync(dir, { recursive: true })
        writeFileSync(join(dir, "dashboard-coordination.png"), Buffer.from(String(shot["data"]), "base64"))
        yield* Fiber.interrupt(run)
      }).pipe(Effect.timeout("30 seconds"))
  )
})
