/**
 * Attacks on ledger holds (issue 29): a hold is not a bearer token anyone can guess, and in secure
 * mode only its maker or an escrow agent settles it. Each test performs the attack and checks that
 * nothing was lost.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Random } from "effect"
import { TestClock } from "effect/testing"
import { AuctionHouse, CombinatorialHouse } from "../../src/economics/auction-house/index.ts"
import { Ledger, Unauthorized } from "../../src/economics/ledger/index.ts"
import { AuditLog, SecureMode, secureLayer, Tokens } from "../../src/security/index.ts"

const seeded = (seed: string) => Layer.effect(Random.Random, Effect.service(Random.Random).pipe(Random.withSeed(seed)))

const open = (accounts: ReadonlyArray<readonly [string, bigint]>) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    for (const [name, money] of accounts) {
      yield* ledger.open(name)
      if (money > 0n) yield* ledger.mint({ account: name, amount: money })
    }
    return ledger
  })

const guesses = Array.from({ length: 200 }, (_, i) => `hold-${i}`)

describe("ledger holds", () => {
  it.effect("hold ids are 128 bits, distinct, and replay in a seeded run", () =>
    Effect.gen(function* () {
      const ids = (seed: string) =>
        Effect.scoped(
          Effect.gen(function* () {
            const ledger = yield* open([["a", 1_000n]])
            const out: Array<string> = []
            for (let i = 0; i < 50; i++) out.push((yield* ledger.hold({ account: "a", amount: 1n })).id)
            return out
          })
        ).pipe(Effect.provide(Ledger.layer.pipe(Layer.provide(seeded(seed)))))
      const first = yield* ids("s1")
      assert.isTrue(first.every((id) => /^hold-[0-9a-f]{32}$/.test(id)))
      assert.strictEqual(new Set(first).size, 50)
      assert.deepStrictEqual(yield* ids("s1"), first)
    })
  )

  it.effect("without a provided Random, hold ids come from the OS CSPRNG and differ between ledgers", () =>
    Effect.gen(function* () {
      const one = Effect.scoped(Effect.flatMap(open([["a", 10n]]), (l) => l.hold({ account: "a", amount: 1n })))
      const a = yield* one.pipe(Effect.provide(Ledger.layer))
      const b = yield* one.pipe(Effect.provide(Ledger.layer))
      assert.notStrictEqual(a.id, b.id)
    })
  )

  it.effect("double spend: a bidder that releases its own auction hold by guessing ids fails; the winner pays", () =>
    Effect.gen(function* () {
      const ledger = yield* open([
        ["seller-1", 0n],
        ["seller-2", 0n],
        ["mallory", 100n],
        ["honest", 100n]
      ])
      const house = yield* AuctionHouse
      for (const id of ["lot-1", "lot-2"]) {
        yield* house.open({
          kind: "english",
          id,
          seller: id === "lot-1" ? "seller-1" : "seller-2",
          reserve: 10n,
          increment: 5n,
          duration: 1000
        })
      }
      yield* house.bid({ auction: "lot-1", bidder: "mallory", amount: 80n })
      // The attack: free the escrow by guessing the hold id, then bid it again elsewhere.
      for (const guess of guesses) {
        const error = yield* Effect.flip(ledger.release(guess))
        assert.strictEqual(error._tag, "UnknownHold")
      }
      assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 20n, held: 80n })
      const second = yield* Effect.flip(house.bid({ auction: "lot-2", bidder: "mallory", amount: 80n }))
      assert.strictEqual(second._tag, "InsufficientFunds")
      const outcome = yield* Effect.forkChild(house.outcome("lot-1"))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(outcome)).award?.winner, "mallory")
      assert.deepStrictEqual(yield* ledger.balance("seller-1"), { available: 80n, held: 0n })
      assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 20n, held: 0n })
      const totals = yield* ledger.audit
      assert.strictEqual(totals.supply, 200n)
      assert.strictEqual(totals.held, 0n)
      // Production keys (no seeded Random): the attacker cannot derive the ids either.
    }).pipe(Effect.provide(AuctionHouse.layer.pipe(Layer.provideMerge(Ledger.layer))))
  )
})

const Secure = secureLayer({
  authorization: {
    grants: {
      admin: ["ledger:*"],
      alice: ["ledger:transfer:alice", "ledger:hold:alice"],
      mallory: ["ledger:transfer:mallory", "ledger:hold:mallory"],
      escrow: ["ledger:escrow:alice"]
    }
  }
}).pipe(Layer.orDie)
const SecureLedger = Ledger.layer.pipe(Layer.provideMerge(Secure), Layer.provide(seeded("secure")))

const as = (agent: string) =>
  Effect.gen(function* () {
    const token = yield* Effect.orDie((yield* Tokens).issue(agent))
    return (yield* SecureMode).actAs(token)
  })

const secureSetup = Effect.gen(function* () {
  const admin = yield* as("admin")
  const ledger = yield* Ledger
  yield* admin(
    Effect.gen(function* () {
      for (const name of ["alice", "mallory", "bob"]) yield* ledger.open(name)
      yield* ledger.mint({ account: "alice", amount: 100n })
      yield* ledger.mint({ account: "mallory", amount: 100n })
    })
  )
  return ledger
})

const deniedAudits = Effect.map(
  Effect.flatMap(AuditLog, (a) => a.records),
  (rs) => rs.filter((r) => r.type === "security.unauthorized")
)

describe("ledger in secure mode", () => {
  it.effect("a hold belongs to its maker: another agent holding its id cannot release or capture it", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const ledger = yield* secureSetup
        const alice = yield* as("alice")
        const mallory = yield* as("mallory")
        const hold = yield* alice(ledger.hold({ account: "alice", amount: 60n }))
        const before = (yield* deniedAudits).length
        const release = yield* Effect.flip(mallory(ledger.release(hold.id)))
        assert.instanceOf(release, Unauthorized)
        assert.strictEqual(release.agent, "mallory")
        const capture = yield* Effect.flip(mallory(ledger.capture({ hold: hold.id, to: "mallory" })))
        assert.instanceOf(capture, Unauthorized)
        const anonymous = yield* Effect.flip(ledger.release(hold.id))
        assert.strictEqual((anonymous as Unauthorized).agent, "anonymous")
        assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 40n, held: 60n })
        assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 100n, held: 0n })
        assert.strictEqual((yield* deniedAudits).length, before + 3)
        assert.strictEqual((yield* ledger.audit).supply, 200n)
        yield* Effect.orDie((yield* AuditLog).verify)
      })
    ).pipe(Effect.provide(SecureLedger))
  )

  it.effect("the maker settles its own hold, and an escrow agent of the account may capture it", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const ledger = yield* secureSetup
        const alice = yield* as("alice")
        const escrow = yield* as("escrow")
        const first = yield* alice(ledger.hold({ account: "alice", amount: 30n }))
        yield* alice(ledger.release(first.id))
        const second = yield* alice(ledger.hold({ account: "alice", amount: 50n }))
        yield* escrow(ledger.capture({ hold: second.id, to: "bob", amount: 20n }))
        assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 80n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("bob"), { available: 20n, held: 0n })
        assert.strictEqual((yield* ledger.audit).supply, 200n)
      })
    ).pipe(Effect.provide(SecureLedger))
  )

  it.effect("transfer, mint, hold and open need the capability; forged and missing tokens are anonymous", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const ledger = yield* secureSetup
        const mallory = yield* as("mallory")
        const secure = yield* SecureMode
        const attacks: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
          mallory(ledger.transfer({ from: "alice", to: "mallory", amount: 50n })),
          mallory(ledger.mint({ account: "mallory", amount: 1_000n })),
          mallory(ledger.burn({ account: "alice", amount: 1n })),
          mallory(Effect.scoped(ledger.hold({ account: "alice", amount: 10n }))),
          mallory(ledger.open("mallory-2")),
          ledger.transfer({ from: "alice", to: "mallory", amount: 50n }),
          secure.actAs("v1.0.e30.forged")(ledger.transfer({ from: "alice", to: "mallory", amount: 50n }))
        ]
        for (const attack of attacks) assert.instanceOf(yield* Effect.flip(attack), Unauthorized)
        assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 100n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 100n, held: 0n })
        assert.strictEqual((yield* ledger.audit).supply, 200n)
        yield* mallory(ledger.transfer({ from: "mallory", to: "bob", amount: 10n }))
        assert.deepStrictEqual(yield* ledger.balance("bob"), { available: 10n, held: 0n })
      })
    ).pipe(Effect.provide(SecureLedger))
  )

  it.effect("a revoked token no longer acts, even one that was just verified", () =>
    Effect.gen(function* () {
      const ledger = yield* secureSetup
      const mallory = yield* as("mallory")
      yield* mallory(ledger.transfer({ from: "mallory", to: "bob", amount: 1n }))
      yield* Effect.orDie((yield* Tokens).revoke("mallory"))
      assert.instanceOf(
        yield* Effect.flip(mallory(ledger.transfer({ from: "mallory", to: "bob", amount: 1n }))),
        Unauthorized
      )
      assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 99n, held: 0n })
    }).pipe(Effect.provide(SecureLedger))
  )
})

describe("auction settlement failure", () => {
  it.effect("a settlement the ledger refuses ends typed and listed as failed, with the escrow returned", () =>
    Effect.gen(function* () {
      const ledger = yield* secureSetup
      const house = yield* AuctionHouse
      const alice = yield* as("alice")
      yield* (yield* as("admin"))(ledger.open("seller"))
      yield* house.open({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 })
      // The hold is alice's; the house's deadline fiber has no authority to capture it in secure mode.
      yield* alice(house.bid({ auction: "lot", bidder: "alice", amount: 40n }))
      assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 60n, held: 40n })
      const outcome = yield* Effect.forkChild(Effect.flip(house.outcome("lot")))
      yield* TestClock.adjust("1 second")
      const error = yield* Fiber.join(outcome)
      assert.strictEqual(error._tag, "SettlementFailed")
      assert.include(error.message, "escrow returned")
      assert.deepStrictEqual(
        (yield* house.list).map((l) => [l.id, l.status, l.award]),
        [["lot", "failed", undefined]]
      )
      assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 100n, held: 0n })
      assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 0n, held: 0n })
      const totals = yield* ledger.audit
      assert.strictEqual(totals.held, 0n)
      assert.strictEqual(totals.supply, 200n)
      // Asking again gives the same typed answer at once.
      assert.strictEqual((yield* Effect.flip(house.outcome("lot")))._tag, "SettlementFailed")
      // A failed auction is closed like a settled one, and says how it ended.
      const late = yield* Effect.flip(alice(house.bid({ auction: "lot", bidder: "alice", amount: 50n })))
      assert.strictEqual(late._tag, "AuctionClosed")
      assert.isTrue(late._tag === "AuctionClosed" && late.failed === true && late.deadline === 1000)
      assert.include(late.message, "settlement failed")
    }).pipe(Effect.provide(AuctionHouse.layer.pipe(Layer.provideMerge(SecureLedger))))
  )
})

describe("the auction house's escrow authority", () => {
  const Grants = secureLayer({
    authorization: {
      grants: {
        admin: ["ledger:*"],
        alice: ["ledger:hold:alice"],
        mallory: ["ledger:hold:mallory"],
        house: ["ledger:escrow:*"]
      }
    }
  }).pipe(Layer.orDie)
  const Base = Ledger.layer.pipe(Layer.provideMerge(Grants), Layer.provide(seeded("authority")))
  // The house's token is issued before the house is built and handed to it as an option.
  const houseWith = (agent: string | undefined) =>
    Layer.unwrap(
      Effect.gen(function* () {
        if (agent === undefined) return AuctionHouse.layer
        const token = yield* Effect.orDie((yield* Tokens).issue(agent))
        return Layer.orDie(AuctionHouse.layerWith({ escrowAuthority: token }))
      })
    ).pipe(Layer.provideMerge(Base))

  const vickrey = Effect.gen(function* () {
    const admin = yield* as("admin")
    const ledger = yield* Ledger
    yield* admin(
      Effect.gen(function* () {
        for (const name of ["alice", "mallory", "seller"]) yield* ledger.open(name)
        yield* ledger.mint({ account: "alice", amount: 100n })
        yield* ledger.mint({ account: "mallory", amount: 100n })
      })
    )
    const house = yield* AuctionHouse
    yield* house.open({ kind: "second-price", id: "lot", seller: "seller", reserve: 10n, duration: 1000 })
    yield* (yield* as("alice"))(house.bid({ auction: "lot", bidder: "alice", amount: 70n }))
    yield* (yield* as("mallory"))(house.bid({ auction: "lot", bidder: "mallory", amount: 40n }))
    const outcome = yield* Effect.forkChild(Effect.exit(house.outcome("lot")))
    yield* TestClock.adjust("1 second")
    return { ledger, house, exit: yield* Fiber.join(outcome) }
  })

  it.effect("with an escrow authority, a Vickrey auction settles from its deadline timer in secure mode", () =>
    Effect.gen(function* () {
      const { exit, house, ledger } = yield* vickrey
      assert.isTrue(Exit.isSuccess(exit))
      assert.isTrue(Exit.isSuccess(exit) && exit.value.award?.winner === "alice" && exit.value.award.payment === 40n)
      assert.deepStrictEqual(
        (yield* house.list).map((l) => l.status),
        ["settled"]
      )
      assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 60n, held: 0n })
      assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 100n, held: 0n })
      assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 40n, held: 0n })
      const totals = yield* ledger.audit
      assert.strictEqual(totals.supply, 200n)
      assert.strictEqual(totals.held, 0n)
    }).pipe(Effect.provide(houseWith("house")))
  )

  for (const [name, agent] of [
    ["without an authority", undefined],
    ["with an authority lacking escrow grants over the winner", "mallory"]
  ] as const) {
    it.effect(`${name}, the settlement fails typed and every hold is returned`, () =>
      Effect.gen(function* () {
        const { exit, house, ledger } = yield* vickrey
        assert.isTrue(Exit.isFailure(exit))
        assert.strictEqual((yield* Effect.flip(exit))._tag, "SettlementFailed")
        assert.deepStrictEqual(
          (yield* house.list).map((l) => l.status),
          ["failed"]
        )
        assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 100n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 100n, held: 0n })
        assert.deepStrictEqual(yield* ledger.balance("seller"), { available: 0n, held: 0n })
        const totals = yield* ledger.audit
        assert.strictEqual(totals.supply, 200n)
        assert.strictEqual(totals.held, 0n)
      }).pipe(Effect.provide(houseWith(agent)))
    )
  }

  const bundleWith = (agent: string | undefined) =>
    Layer.unwrap(
      Effect.gen(function* () {
        if (agent === undefined) return CombinatorialHouse.layer
        const token = yield* Effect.orDie((yield* Tokens).issue(agent))
        return CombinatorialHouse.layerWith({ escrowAuthority: token })
      })
    ).pipe(Layer.provideMerge(Base))

  for (const [agent, settles] of [
    ["house", true],
    [undefined, false]
  ] as const) {
    it.effect(
      `a combinatorial auction in secure mode ${settles ? "settles with" : "fails typed without"} an escrow authority`,
      () =>
        Effect.gen(function* () {
          const ledger = yield* Ledger
          yield* (yield* as("admin"))(
            Effect.gen(function* () {
              for (const name of ["alice", "mallory", "seller"]) yield* ledger.open(name)
              yield* ledger.mint({ account: "alice", amount: 100n })
              yield* ledger.mint({ account: "mallory", amount: 100n })
            })
          )
          const house = yield* CombinatorialHouse
          yield* house.open({ id: "slots", seller: "seller", items: ["x", "y"], duration: 1000 })
          yield* (yield* as("alice"))(house.bid({ auction: "slots", bidder: "alice", items: ["x", "y"], amount: 10n }))
          yield* (yield* as("mallory"))(house.bid({ auction: "slots", bidder: "mallory", items: ["x"], amount: 6n }))
          const outcome = yield* Effect.forkChild(Effect.exit(house.outcome("slots")))
          yield* TestClock.adjust("1 second")
          const exit = yield* Fiber.join(outcome)
          const paid = settles ? 6n : 0n
          if (settles) assert.isTrue(Exit.isSuccess(exit))
          else assert.strictEqual((yield* Effect.flip(exit))._tag, "SettlementFailed")
          assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 100n - paid, held: 0n })
          assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 100n, held: 0n })
          assert.deepStrictEqual(yield* ledger.balance("seller"), { available: paid, held: 0n })
          const totals = yield* ledger.audit
          assert.strictEqual(totals.supply, 200n)
          assert.strictEqual(totals.held, 0n)
        }).pipe(Effect.provide(bundleWith(agent)))
    )
  }

  it.effect("an outbid English bidder's escrow is released at once by the house's authority", () =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      const admin = yield* as("admin")
      yield* admin(
        Effect.gen(function* () {
          for (const name of ["alice", "mallory", "seller"]) yield* ledger.open(name)
          yield* ledger.mint({ account: "alice", amount: 100n })
          yield* ledger.mint({ account: "mallory", amount: 100n })
        })
      )
      const house = yield* AuctionHouse
      yield* house.open({ kind: "english", id: "lot", seller: "seller", reserve: 10n, increment: 5n, duration: 1000 })
      yield* (yield* as("alice"))(house.bid({ auction: "lot", bidder: "alice", amount: 20n }))
      yield* (yield* as("mallory"))(house.bid({ auction: "lot", bidder: "mallory", amount: 30n }))
      assert.deepStrictEqual(yield* ledger.balance("alice"), { available: 100n, held: 0n })
      assert.deepStrictEqual(yield* ledger.balance("mallory"), { available: 70n, held: 30n })
    }).pipe(Effect.provide(houseWith("house")))
  )
})
