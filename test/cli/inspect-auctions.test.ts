import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TestConsole } from "effect/testing"
import { auction, runScenario } from "../../src/cli/index.ts"
import { waitFor } from "../dashboard/sse.ts"
import { runCli } from "./helpers.ts"

describe("mabeam inspect: auctions", () => {
  it.live("inspect --url shows the open English auction of a running auction scenario, with its bids", () =>
    Effect.gen(function* () {
      const url = yield* Deferred.make<string>()
      const run = yield* runScenario(auction, {
        seed: 2,
        rounds: 1,
        // 50 ms per answer keeps the English lot open for seconds.
        paceMillis: 50,
        dashboardPort: 0,
        intervalMillis: 20,
        hold: true,
        onDashboard: (dashboard) => Deferred.succeed(url, dashboard.url).pipe(Effect.asVoid)
      }).pipe(Effect.provide(TestConsole.layer), Effect.forkChild)
      const base = yield* Deferred.await(url)
      const bidding = yield* waitFor(base, (s) =>
        s.auctions.some((a) => a.id === "english-1" && a.status === "open" && a.bids >= 2)
      )
      assert.strictEqual(bidding.auctions[0]?.kind, "english")
      const live = yield* runCli(["inspect", "--url", base])
      assert.strictEqual(live.code, 0, live.err)
      assert.include(live.out, "scenario auction (round 1/1: english)")
      assert.include(live.out, "supervision tree:")
      assert.include(live.out, "registry: 4 entries: bidder-1, bidder-2, bidder-3, bidder-4")
      assert.match(
        live.out,
        /\nauctions:\n {2}english-1 \[english\] open: \d+ bids, high \d+, reserve 20, closes in \d+ ms, seller seller\n/
      )
      // Once the run is over, both lots are listed as settled with their award.
      const done = yield* waitFor(base, (s) => s.phase === "done")
      assert.deepStrictEqual(
        done.auctions.map((a) => [a.id, a.status, a.winner]),
        [
          ["english-1", "settled", "bidder-1"],
          ["second-price-1", "settled", "bidder-2"]
        ]
      )
      const after = yield* runCli(["inspect", "--url", base])
      // Seed 2: valuations 180, 117, 109, 102; the English winner spent its budget and sits the sealed lot out.
      assert.include(after.out, "  english-1 [english] settled: ")
      assert.include(after.out, "  second-price-1 [second-price] settled: 3 bids, won by bidder-2, pays 109")
      yield* Fiber.interrupt(run)
    }).pipe(Effect.timeout("60 seconds"))
  )
})
