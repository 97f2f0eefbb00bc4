/**
 * The dashboard in a real browser: headless Chromium (Debian's `chromium`) loads the page while
 * the agents scenario runs, and the test waits — on DOM mutations, not on time — until the live
 * values have changed, then saves a screenshot to test-results/dashboard.png. Skipped when no
 * Chromium is installed (`apt-get install -y chromium`).
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TestConsole } from "effect/testing"
import { agents, projectRoot, runScenario } from "../../src/cli/index.ts"
import { findChromium, openPage } from "./cdp.ts"

const chromium = findChromium()

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
  it.live.skipIf(chromium === undefined)("the page shows live values changing while a scenario runs; screenshot saved", () =>
    Effect.gen(function*() {
      const url = yield* Deferred.make<string>()
      const run = yield* runScenario(agents, {
        seed: 3,
        rounds: 500,
        paceMillis: 20,
        dashboardPort: 0,
        intervalMillis: 50,
        hold: true,
        onDashboard: (dashboard) => Deferred.succeed(url, dashboard.url).pipe(Effect.asVoid)
      }).pipe(Effect.provide(TestConsole.layer), Effect.forkChild)
      const page = yield* openPage(chromium!)
      yield* page.goto(yield* Deferred.await(url))
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
    }).pipe(Effect.timeout("30 seconds")))
})
