import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schema, Scope } from "effect"
import { InvalidInput } from "../../src/errors/index.ts"
import {
  CaptureExceedsHold,
  IdempotencyConflict,
  InsufficientFunds,
  Ledger,
  UnknownAccount,
  UnknownHold
} from "../../src/economics/ledger/index.ts"

const withLedger = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, Ledger.layer)

const setup = Effect.gen(function* () {
  const ledger = yield* Ledger
  for (const name of ["a", "b", "c"]) yield* ledger.open(name)
  yield* ledger.mint({ account: "a", amount: 100n })
  return ledger
})

describe("Ledger", () => {
  it.effect("transfers move money and keep the supply", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* setup
        const receipt = yield* ledger.transfer({ from: "a", to: "b", amount: 30n })
        assert.strictEqual(receipt.amount, 30n)
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 70n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("b"), { available: 30n, held: 0n })
        assert.strictEqual((yield* ledger.audit).supply, 100n)
      })
    )
  )

  it.effect("the same idempotency key twice is one transfer", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* setup
        const first = yield* ledger.transfer({ from: "a", to: "b", amount: 30n, key: "k1" })
        const again = yield* ledger.transfer({ from: "a", to: "b", amount: 30n, key: "k1" })
        assert.deepStrictEqual(again, first)
        assert.deepStrictEqual(yield* ledger.balance("b"), { available: 30n, held: 0n })
        const conflict = yield* Effect.flip(ledger.transfer({ from: "a", to: "c", amount: 30n, key: "k1" }))
        assert.instanceOf(conflict, IdempotencyConflict)
        assert.deepStrictEqual(yield* ledger.balance("c"), { available: 0n, held: 0n })
      })
    )
  )

  it.effect("the idempotency window is bounded: the oldest key is forgotten", () =>
    Effect.gen(function* () {
      const ledger = yield* setup
      yield* ledger.transfer({ from: "a", to: "b", amount: 1n, key: "k1" })
      yield* ledger.transfer({ from: "a", to: "b", amount: 1n, key: "k2" })
      yield* ledger.transfer({ from: "a", to: "b", amount: 1n, key: "k3" })
      yield* ledger.transfer({ from: "a", to: "b", amount: 1n, key: "k1" })
      assert.strictEqual((yield* ledger.balance("b")).available, 4n)
    }).pipe(Effect.provide(Ledger.layerWith({ maxIdempotencyKeys: 2 })))
  )

  it.effect("an overdraft fails with InsufficientFunds naming the values and changes nothing", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* setup
        const error = yield* Effect.flip(ledger.transfer({ from: "a", to: "b", amount: 180n }))
        assert.instanceOf(error, InsufficientFunds)
        assert.strictEqual(error.message, `account "a" has 100 available, needs 180`)
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
        assert.instanceOf(yield* Effect.flip(ledger.burn({ account: "b", amount: 1n })), InsufficientFunds)
      })
    )
  )

  it.effect("unknown accounts and bad input are typed errors", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* setup
        assert.instanceOf(yield* Effect.flip(ledger.transfer({ from: "a", to: "zz", amount: 1n })), UnknownAccount)
        assert.instanceOf(yield* Effect.flip(ledger.mint({ account: "zz", amount: 1n })), UnknownAccount)
        assert.instanceOf(yield* Effect.flip(ledger.balance("zz")), UnknownAccount)
        assert.strictEqual((yield* Effect.flip(ledger.open("a")))._tag, "AccountExists")
        const bad = yield* Effect.flip(ledger.transfer({ from: "a", to: "b", amount: -5n }))
        assert.instanceOf(bad, InvalidInput)
        assert.strictEqual(bad.where, "Ledger.transfer")
        const zero = yield* Effect.flip(ledger.transfer({ from: "a", to: "b", amount: 0n }))
        assert.instanceOf(zero, InvalidInput)
        assert.instanceOf(yield* Effect.flip(ledger.open("")), InvalidInput)
        assert.instanceOf(
          yield* Effect.flip(ledger.mint({ account: "a", amount: 1.5 as unknown as bigint })),
          InvalidInput
        )
        assert.strictEqual((yield* ledger.audit).supply, 100n)
      })
    )
  )

  it.effect("a hold reserves money; capture pays part and returns the rest", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* setup
        const hold = yield* ledger.hold({ account: "a", amount: 60n })
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 40n, held: 60n })
        assert.instanceOf(yield* Effect.flip(ledger.transfer({ from: "a", to: "b", amount: 50n })), InsufficientFunds)
        const over = yield* Effect.flip(ledger.capture({ hold: hold.id, to: "b", amount: 61n }))
        assert.instanceOf(over, CaptureExceedsHold)
        yield* ledger.capture({ hold: hold.id, to: "b", amount: 45n })
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 55n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("b"), { available: 45n, held: 0n })
        assert.instanceOf(yield* Effect.flip(ledger.release(hold.id)), UnknownHold)
        const partial = yield* ledger.hold({ account: "b", amount: 40n })
        yield* ledger.capture({ hold: partial.id, to: "c", amount: 15n, keepRest: true })
        assert.deepStrictEqual(yield* ledger.balance("b"), { available: 5n, held: 25n })
        yield* ledger.release(partial.id)
        assert.deepStrictEqual(yield* ledger.balance("b"), { available: 30n, held: 0n })
        assert.instanceOf(yield* Effect.flip(ledger.capture({ hold: hold.id, to: "b" })), UnknownHold)
      })
    )
  )

  it.effect("a hold is released when its scope closes, unless captured", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* setup
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* ledger.hold({ account: "a", amount: 10n })
            const kept = yield* ledger.hold({ account: "a", amount: 20n })
            yield* ledger.capture({ hold: kept.id, to: "c" })
            assert.deepStrictEqual(yield* ledger.balance("a"), { available: 70n, held: 10n })
          })
        )
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 80n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("c"), { available: 20n, held: 0n })
      })
    )
  )

  it.effect("an interrupted agent's holds are released by its scope", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* setup
        const agent = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              yield* ledger.hold({ account: "a", amount: 40n })
              yield* ledger.hold({ account: "a", amount: 50n })
              return yield* Effect.never
            })
          )
        )
        yield* Effect.yieldNow
        assert.strictEqual((yield* ledger.balance("a")).held, 90n)
        yield* Fiber.interrupt(agent)
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
      })
    )
  )

  it.effect("a failed hold in a scope leaves nothing behind", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* setup
        const scope = yield* Scope.make()
        const exit = yield* Effect.exit(Scope.provide(scope)(ledger.hold({ account: "a", amount: 101n })))
        assert.isTrue(Exit.isFailure(exit))
        yield* Scope.close(scope, Exit.void)
        assert.deepStrictEqual(yield* ledger.balance("a"), { available: 100n, held: 0n })
      })
    )
  )
})

// Conservation over random operation sequences, including agents interrupted mid-operation.
const Op = Schema.Struct({
  op: Schema.Literals(["mint", "burn", "transfer", "replay", "hold", "capture", "release", "close", "agent"]),
  a: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 })),
  b: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 3 })),
  amount: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 120 })),
  n: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 5 }))
})
const names = ["a", "b", "c", "d"] as const
const pick = (i: number) => names[i % names.length] ?? "a"

describe("Ledger conservation", () => {
  it.effect("regression: a release frees the whole hold, after scopes were closed and reopened", () =>
    withLedger(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.open("c")
        yield* ledger.mint({ account: "c", amount: 14n })
        const hold = yield* ledger.hold({ account: "c", amount: 4n })
        yield* ledger.release(hold.id)
        const totals = yield* ledger.audit
        assert.deepStrictEqual([totals.held, totals.holds, totals.available], [0n, 0, 14n])
      }).pipe(Effect.scoped)
    )
  )

  it.effect.prop(
    "balances + holds change only by mint and burn",
    [Schema.Array(Op).check(Schema.isBetweenLength(10, 80))],
    ([ops]) =>
      withLedger(
        Effect.gen(function* () {
          const ledger = yield* Ledger
          for (const name of names) yield* ledger.open(name)
          let supply = 0n
          const scopes: Array<Scope.Closeable> = [yield* Scope.make(), yield* Scope.make()]
          const live = new Map<string, { scope: number; amount: bigint }>()
          let key = 0
          for (const { op, a, b, amount, n } of ops) {
            const amt = BigInt(amount)
            const scopeIx = n % scopes.length
            const scope = scopes[scopeIx] as Scope.Closeable
            switch (op) {
              case "mint":
                if (Exit.isSuccess(yield* Effect.exit(ledger.mint({ account: pick(a), amount: amt })))) supply += amt
                break
              case "burn":
                if (Exit.isSuccess(yield* Effect.exit(ledger.burn({ account: pick(a), amount: amt })))) supply -= amt
                break
              case "transfer":
                yield* Effect.exit(ledger.transfer({ from: pick(a), to: pick(b), amount: amt, key: `k${key++}` }))
                break
              case "replay":
                yield* Effect.exit(ledger.transfer({ from: pick(a), to: pick(b), amount: amt, key: `k${n}` }))
                break
              case "hold": {
                const exit = yield* Effect.exit(Scope.provide(scope)(ledger.hold({ account: pick(a), amount: amt })))
                if (Exit.isSuccess(exit)) live.set(exit.value.id, { scope: scopeIx, amount: amt })
                break
              }
              case "capture":
              case "release": {
                const id = [...live.keys()][n % Math.max(1, live.size)]
                const held = id === undefined ? undefined : live.get(id)
                if (id === undefined || held === undefined) break
                // Mostly valid partial captures, sometimes an over-capture (which must fail cleanly).
                const part = amt === 0n ? undefined : n === 5 ? amt : amt < held.amount ? amt : held.amount
                const keepRest = a === 3 && part !== undefined && part < held.amount
                const exit = yield* Effect.exit(
                  op === "capture"
                    ? ledger.capture(
                        part === undefined
                          ? { hold: id, to: pick(b) }
                          : { hold: id, to: pick(b), amount: part, keepRest }
                      )
                    : ledger.release(id)
                )
                // `keepRest` is a capture option: a release always frees the whole hold.
                if (Exit.isSuccess(exit) && op === "capture" && keepRest && part !== undefined) {
                  live.set(id, { ...held, amount: held.amount - part })
                } else if (Exit.isSuccess(exit)) live.delete(id)
                break
              }
              case "close":
                yield* Scope.close(scope, Exit.void)
                for (const [id, h] of live) if (h.scope === scopeIx) live.delete(id)
                scopes[scopeIx] = yield* Scope.make()
                break
              case "agent": {
                // An agent holds money then is interrupted after `n` scheduler turns, possibly mid-way.
                const agent = yield* Effect.forkChild(
                  Effect.scoped(
                    Effect.gen(function* () {
                      yield* ledger.hold({ account: pick(a), amount: 1n })
                      yield* Effect.yieldNow
                      yield* ledger.hold({ account: pick(b), amount: 1n })
                      yield* Effect.yieldNow
                      yield* ledger.transfer({ from: pick(a), to: pick(b), amount: 1n })
                      return yield* Effect.never
                    })
                  )
                )
                for (let i = 0; i < n; i++) yield* Effect.yieldNow
                yield* Fiber.interrupt(agent)
                break
              }
            }
            const totals = yield* ledger.audit
            assert.strictEqual(totals.supply, supply)
            assert.strictEqual(totals.available + totals.held, supply)
            assert.strictEqual(
              totals.held,
              [...live.values()].reduce((s, h) => s + h.amount, 0n)
            )
            assert.strictEqual(totals.holds, live.size)
          }
        })
      ),
    { arbitrary: { runs: 200 } }
  )
})
