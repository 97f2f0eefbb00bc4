/** README "Economics": the block inside a program with a Ledger and an AuctionHouse. */
import { Effect } from "effect"
import { AuctionHouse, Ledger } from "mabeam/economics"

export const economicsBlock = Effect.gen(function*() {
  const ledger = yield* Ledger.Ledger
  const house = yield* AuctionHouse.AuctionHouse
  // README:begin
  for (const name of ["seller", "alice", "bob"]) yield* ledger.open(name)
  yield* ledger.mint({ account: "alice", amount: 100n })
  yield* ledger.mint({ account: "bob", amount: 100n })
  yield* house.open({ kind: "second-price", id: "gpu-1h", seller: "seller", reserve: 10n, duration: 1_000 })
  yield* house.bid({ auction: "gpu-1h", bidder: "alice", amount: 70n })
  yield* house.bid({ auction: "gpu-1h", bidder: "bob", amount: 45n })
  const { award } = yield* house.outcome("gpu-1h")   // alice wins and pays 45; bob's hold is released
  // README:end
  return award
})
