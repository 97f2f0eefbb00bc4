/**
 * Garbage at every public boundary of the ledger: open / mint / burn / transfer / hold / capture /
 * release / balance only succeed or fail with a typed error (never a defect: `audit` dies if money
 * was created or lost), and a refused call leaves the audit totals and every balance as they were.
 * `RUNS` (100) inputs per boundary.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Schema, type Scope } from "effect"

import { Ledger, MAX_AMOUNT } from "../../src/economics/index.ts"
import { Garbage, outcome, RUNS } from "../resources/fixtures.ts"

const options = { arbitrary: { runs: RUNS, seed: 37 } }
const Account = Schema.Union([Schema.Literals(["a", "b", "nobody"]), Garbage])
const Amount = Schema.Union([
  Schema.Literals([0n, 1n, 5n, 100n, 101n, -1n, MAX_AMOUNT, MAX_AMOUNT + 1n]),
  Schema.BigInt,
  Garbage
])
/** `"HELD"` stands for the id of a live hold on `a`. */
const HoldRef = Schema.Union([Schema.Literals(["HELD", "HELD"]), Garbage])
const Key = Schema.Union([Schema.Literals(["k1", "k1"]), Garbage])
const layer = Layer.fresh(Ledger.Ledger.layer)

/** Audit totals and every account's balance, bigints as strings. */
const snapshot = Effect.gen(function* () {
  const ledger = yield* Ledger.Ledger
  const show = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))
  const balances = yield* Effect.forEach(["a", "b"], (a) => ledger.balance(a))
  return show({ audit: yield* ledger.audit, balances })
})

const allowed = [
  "InvalidInput",
  "AccountExists",
  "UnknownAccount",
  "InsufficientFunds",
  "UnknownHold",
  "CaptureExceedsHold",
  "IdempotencyConflict"
]

/** Opens `a` (100, 10 of it held) and `b`, then runs each call; a refused call changes nothing. */
const unchangedOnFailure = (
  calls: ReadonlyArray<(held: string) => Effect.Effect<unknown, unknown, Ledger.Ledger | Scope.Scope>>
) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    yield* ledger.open("a")
    yield* ledger.open("b")
    yield* ledger.mint({ account: "a", amount: 100n })
    yield* ledger.transfer({ from: "a", to: "b", amount: 1n, key: "k1" })
    const hold = yield* ledger.hold({ account: "a", amount: 10n })
    for (const call of calls) {
      const before = yield* snapshot
      const tag = yield* outcome(call(hold.id))
      assert.include(["ok", ...allowed], tag)
      if (tag !== "ok") assert.strictEqual(yield* snapshot, before)
    }
    const totals = yield* ledger.audit
    assert.strictEqual(totals.supply, totals.available + totals.held)
  }).pipe(Effect.scoped, Effect.provide(layer))

/** Replays one keyed transfer; returns what `b` holds (1 if the replay moved nothing). */
const keysReplayed = Effect.gen(function* () {
  const ledger = yield* Ledger.Ledger
  yield* ledger.open("a")
  yield* ledger.open("b")
  yield* ledger.mint({ account: "a", amount: 10n })
  yield* ledger.transfer({ from: "a", to: "b", amount: 1n, key: "same" })
  yield* ledger.transfer({ from: "a", to: "b", amount: 1n, key: "same" })
  yield* ledger.audit
  return (yield* ledger.balance("b")).available
})

const holdOf = (ref: unknown, held: string) => (ref === "HELD" ? held : ref)

describe("ledger: fuzzed boundaries", () => {
  it.effect.prop(
    "open / balance(account) x100",
    [Account],
    ([account]) =>
      unchangedOnFailure([
        () => Effect.flatMap(Ledger.Ledger, (l) => l.balance(account as string)),
        () => Effect.flatMap(Ledger.Ledger, (l) => l.open(account as string))
      ]),
    options
  )

  it.effect.prop(
    "mint / burn({ account, amount }) x100",
    [Account, Amount, Garbage],
    ([account, amount, junk]) =>
      unchangedOnFailure([
        () => Effect.flatMap(Ledger.Ledger, (l) => l.burn({ account, amount } as never)),
        () => Effect.flatMap(Ledger.Ledger, (l) => l.mint({ account, amount } as never)),
        () => Effect.flatMap(Ledger.Ledger, (l) => l.mint(junk as never))
      ]),
    options
  )

  it.effect.prop(
    "transfer({ from, to, amount, key }) x100",
    [Account, Account, Amount, Key],
    ([from, to, amount, key]) =>
      unchangedOnFailure([
        () => Effect.flatMap(Ledger.Ledger, (l) => l.transfer({ from, to, amount, key } as never)),
        () => Effect.flatMap(Ledger.Ledger, (l) => l.transfer({ from, to, amount } as never))
      ]),
    options
  )

  it.effect.prop(
    "hold / capture / release x100",
    [Account, Amount, HoldRef, Schema.Union([Schema.Boolean, Garbage])],
    ([account, amount, ref, keepRest]) =>
      unchangedOnFailure([
        () => Effect.flatMap(Ledger.Ledger, (l) => l.hold({ account, amount } as never)),
        (held) =>
          Effect.flatMap(Ledger.Ledger, (l) =>
            l.capture({ hold: holdOf(ref, held), to: account, amount, keepRest } as never)
          ),
        (held) => Effect.flatMap(Ledger.Ledger, (l) => l.capture({ hold: holdOf(ref, held), to: account } as never)),
        (held) => Effect.flatMap(Ledger.Ledger, (l) => l.release(holdOf(ref, held) as string))
      ]),
    options
  )

  it.effect.prop(
    "Ledger.layerWith({ maxIdempotencyKeys: number }) x100",
    [Schema.Union([Schema.Number, Schema.Int])],
    ([max]) =>
      Effect.gen(function* () {
        assert.include(
          ["ok", "InvalidInput"],
          yield* outcome(keysReplayed.pipe(Effect.provide(Ledger.Ledger.layerWith({ maxIdempotencyKeys: max }))))
        )
      }),
    options
  )

  // Found by this suite (fixed): `layerWith` did not validate its options; garbage died at the
  // first keyed transfer and 0 silently turned idempotency off. Both are now `InvalidInput`.
  it.effect("regression: Ledger.layerWith({ maxIdempotencyKeys: garbage }) fails with InvalidInput", () =>
    Effect.gen(function* () {
      const tag = yield* outcome(
        keysReplayed.pipe(
          Effect.provide(Ledger.Ledger.layerWith({ maxIdempotencyKeys: Object.create(null) as number }))
        )
      )
      assert.strictEqual(tag, "InvalidInput")
    })
  )

  it.effect(
    "regression: Ledger.layerWith({ maxIdempotencyKeys: 0 }) is refused, so a replay can never move money twice",
    () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          keysReplayed.pipe(Effect.provide(Ledger.Ledger.layerWith({ maxIdempotencyKeys: 0 })))
        )
        assert.isTrue(exit._tag === "Failure")
        assert.strictEqual(
          yield* outcome(keysReplayed.pipe(Effect.provide(Ledger.Ledger.layerWith({ maxIdempotencyKeys: 0 })))),
          "InvalidInput"
        )
      })
  )
})
