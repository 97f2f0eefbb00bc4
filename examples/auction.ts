/**
 * A second-price (Vickrey) auction with escrow in the ledger: `node examples/auction.ts`.
 * Alice values the lot most and wins it; she pays Bob's bid, and every other hold is released.
 */
import { Effect, Layer } from "effect"
import { AuctionHouse, Ledger } from "../src/economics/index.ts"

const program = Effect.gen(function* () {
  const ledger = yield* Ledger.Ledger
  const house = yield* AuctionHouse.AuctionHouse
  for (const name of ["seller", "alice", "bob"]) yield* ledger.open(name)
  yield* ledger.mint({ account: "alice", amount: 100n })
  yield* ledger.mint({ account: "bob", amount: 100n })
  yield* house.open({ kind: "second-price", id: "gpu-1h", seller: "seller", reserve: 10n, duration: 1_000 })
  yield* house.bid({ auction: "gpu-1h", bidder: "alice", amount: 70n })
  yield* house.bid({ auction: "gpu-1h", bidder: "bob", amount: 45n })
  const { award } = yield* house.outcome("gpu-1h")
  const alice = yield* ledger.balance("alice")
  const seller = yield* ledger.balance("seller")
  console.log(
    `winner ${award?.winner}, pays ${award?.payment}; alice has ${alice.available} left, the seller ${seller.available}`
  )
})

Effect.runPromise(
  program.pipe(Effect.provide(AuctionHouse.AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.Ledger.layer))))
)
