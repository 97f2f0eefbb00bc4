/**
 * What the invariant asserts cost (issue #21: "cheap enough to stay on in production").
 * - `invariant()` itself, per call, against the same condition checked inline;
 * - the ledger's transfer (which now asserts 3 invariants) against itself with 3 more asserts of
 *   the same kind: the difference is the marginal cost of 3 asserts on a real hot path.
 * A message that interpolates a `bigint` converts it on every call, even when the condition holds:
 * the ledger's asserts keep such values out of their messages.
 */
import { Book } from "../src/economics/ledger/internal/book.ts"
import { invariant } from "../src/errors/Invariant.ts"
import { defineBench } from "./lib/index.ts"

const loop = 1_000
let sink = 0

const inline = () => {
  for (let index = 0; index < loop; index++) {
    if (!(index >= 0)) throw new Error("negative")
    sink += index
  }
}
const withStatic = () => {
  for (let index = 0; index < loop; index++) {
    invariant(index >= 0, "index went negative")
    sink += index
  }
}
const withTemplate = () => {
  for (let index = 0; index < loop; index++) {
    invariant(index >= 0, `index ${index} went negative`)
    sink += index
  }
}

const book = new Book(
  1_000,
  (() => {
    let next = 0
    return () => `h${next++}`
  })()
)
book.open("a")
book.open("b")
book.mint("a", 1_000_000_000n)
book.mint("b", 1_000_000_000n)
let flip = false
const transfer = () => {
  flip = !flip
  book.transfer(flip ? "a" : "b", flip ? "b" : "a", 1n, undefined)
}
const transferPlus3 = () => {
  flip = !flip
  const from = flip ? "a" : "b"
  const receipt = book.transfer(from, flip ? "b" : "a", 1n, undefined)
  invariant(receipt._tag === "Success", `transfer from ${from} failed`)
  invariant(receipt.success.amount >= 0n, "transfer of a negative amount")
  invariant(receipt.success.id > 0, "transfer ids start at 1")
}

export default defineBench("invariants", [
  {
    group: "1,000 checks per run",
    baseline: { name: "inline if/throw", ops: loop, fn: inline },
    cases: [
      { name: "invariant(), static message", ops: loop, fn: withStatic },
      { name: "invariant(), template message", ops: loop, fn: withTemplate }
    ],
    teardown: () => void (sink === -1 && console.log(sink))
  },
  {
    group: "ledger transfer (asserts 3 invariants)",
    baseline: { name: "Book.transfer", fn: transfer },
    cases: [{ name: "Book.transfer + 3 more asserts", fn: transferPlus3 }]
  }
])
