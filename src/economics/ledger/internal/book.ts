/**
 * The ledger's state and its transitions, synchronous and all-or-nothing: each method either
 * validates everything and then mutates, or returns a failure and mutates nothing. Because a
 * method runs as one synchronous block, no fiber can be interrupted half-way through it.
 *
 * Internal: only `Ledger.ts` may import this file.
 */
import { Result } from "effect"
import { invariant } from "../../../errors/Invariant.ts"
import type { Balance, Hold, Totals, Transfer } from "../schema.ts"
import {
  AccountExists,
  CaptureExceedsHold,
  IdempotencyConflict,
  InsufficientFunds,
  UnknownAccount,
  UnknownHold
} from "../LedgerError.ts"

interface Account {
  available: bigint
  held: bigint
}

interface Remembered {
  readonly from: string
  readonly to: string
  readonly amount: bigint
  readonly receipt: Transfer
}

const assert = (condition: boolean, message: string): void =>
  invariant(condition, `ledger invariant violated: ${message}`)

/**
 * The mutable book behind one `Ledger`.
 *
 * @since 0.1.0
 * @category models
 */
export class Book {
  private readonly accounts = new Map<string, Account>()
  private readonly holds = new Map<string, Hold>()
  /** In secure mode, the verified agent that made each hold. */
  private readonly owners = new Map<string, string>()
  private readonly keys = new Map<string, Remembered>()
  private supply = 0n
  private nextTransfer = 1
  private readonly maxKeys: number
  private readonly holdId: () => string

  /** `holdId` names each new hold: it must never repeat and should be unguessable (see `Ledger`). */
  constructor(maxKeys: number, holdId: () => string) {
    this.maxKeys = maxKeys
    this.holdId = holdId
  }

  open(account: string): Result.Result<void, AccountExists> {
    if (this.accounts.has(account)) return Result.fail(new AccountExists({ account }))
    this.accounts.set(account, { available: 0n, held: 0n })
    return Result.void
  }

  mint(account: string, amount: bigint): Result.Result<void, UnknownAccount> {
    const acc = this.accounts.get(account)
    if (acc === undefined) return Result.fail(new UnknownAccount({ account }))
    assert(amount >= 0n, "mint of a negative amount")
    acc.available += amount
    this.supply += amount
    return Result.void
  }

  burn(account: string, amount: bigint): Result.Result<void, UnknownAccount | InsufficientFunds> {
    const acc = this.accounts.get(account)
    if (acc === undefined) return Result.fail(new UnknownAccount({ account }))
    if (acc.available < amount) {
      return Result.fail(new InsufficientFunds({ account, available: acc.available, needed: amount }))
    }
    acc.available -= amount
    this.supply -= amount
    assert(this.supply >= 0n, `supply went negative (${this.supply})`)
    return Result.void
  }

  transfer(
    from: string,
    to: string,
    amount: bigint,
    key: string | undefined
  ): Result.Result<Transfer, UnknownAccount | InsufficientFunds | IdempotencyConflict> {
    if (key !== undefined) {
      const seen = this.keys.get(key)
      if (seen !== undefined) {
        return seen.from === from && seen.to === to && seen.amount === amount
          ? Result.succeed(seen.receipt)
          : Result.fail(new IdempotencyConflict({ key }))
      }
    }
    const source = this.accounts.get(from)
    if (source === undefined) return Result.fail(new UnknownAccount({ account: from }))
    const target = this.accounts.get(to)
    if (target === undefined) return Result.fail(new UnknownAccount({ account: to }))
    if (source.available < amount) {
      return Result.fail(new InsufficientFunds({ account: from, available: source.available, needed: amount }))
    }
    assert(amount >= 0n, "transfer of a negative amount")
    const before = source === target ? 0n : source.available + target.available
    source.available -= amount
    target.available += amount
    assert(
      source === target || source.available + target.available === before,
      `transfer ${from} -> ${to} created or lost money`
    )
    const receipt: Transfer = { id: this.nextTransfer++, from, to, amount, key }
    if (key !== undefined) this.remember(key, { from, to, amount, receipt })
    return Result.succeed(receipt)
  }

  hold(
    account: string,
    amount: bigint,
    owner: string | undefined
  ): Result.Result<Hold, UnknownAccount | InsufficientFunds> {
    const acc = this.accounts.get(account)
    if (acc === undefined) return Result.fail(new UnknownAccount({ account }))
    if (acc.available < amount) {
      return Result.fail(new InsufficientFunds({ account, available: acc.available, needed: amount }))
    }
    assert(amount >= 0n, "hold of a negative amount")
    acc.available -= amount
    acc.held += amount
    assert(acc.available >= 0n, `account "${account}" available went negative on a hold`)
    const id = this.holdId()
    assert(!this.holds.has(id), `hold id "${id}" was issued twice`)
    const hold: Hold = { id, account, amount }
    this.holds.set(id, hold)
    if (owner !== undefined) this.owners.set(id, owner)
    return Result.succeed(hold)
  }

  capture(
    holdId: string,
    to: string,
    amount: bigint | undefined,
    keepRest: boolean
  ): Result.Result<Transfer, UnknownHold | UnknownAccount | CaptureExceedsHold> {
    const hold = this.holds.get(holdId)
    if (hold === undefined) return Result.fail(new UnknownHold({ hold: holdId }))
    const target = this.accounts.get(to)
    if (target === undefined) return Result.fail(new UnknownAccount({ account: to }))
    const taken = amount ?? hold.amount
    if (taken > hold.amount) {
      return Result.fail(new CaptureExceedsHold({ hold: holdId, held: hold.amount, requested: taken }))
    }
    const source = this.accountOf(hold)
    const before = source.available + source.held + (target === source ? 0n : target.available)
    if (keepRest && taken < hold.amount) {
      this.holds.set(holdId, { ...hold, amount: hold.amount - taken })
      source.held -= taken
    } else {
      this.holds.delete(holdId)
      this.owners.delete(holdId)
      source.held -= hold.amount
      source.available += hold.amount - taken
    }
    target.available += taken
    assert(source.held >= 0n, `account "${hold.account}" held went negative`)
    assert(
      source.available + source.held + (target === source ? 0n : target.available) === before,
      `capture of hold "${holdId}" created or lost money`
    )
    return Result.succeed({ id: this.nextTransfer++, from: hold.account, to, amount: taken, key: undefined })
  }

  release(holdId: string): Result.Result<void, UnknownHold> {
    const hold = this.holds.get(holdId)
    if (hold === undefined) return Result.fail(new UnknownHold({ hold: holdId }))
    const source = this.accountOf(hold)
    this.holds.delete(holdId)
    this.owners.delete(holdId)
    source.held -= hold.amount
    source.available += hold.amount
    assert(source.held >= 0n, `account "${hold.account}" held went negative`)
    return Result.void
  }

  /** The hold's account and, in secure mode, the agent that made it; `undefined` if it is not held. */
  holder(holdId: string): { readonly account: string; readonly owner: string | undefined } | undefined {
    const hold = this.holds.get(holdId)
    return hold === undefined ? undefined : { account: hold.account, owner: this.owners.get(holdId) }
  }

  isHeld(holdId: string): boolean {
    return this.holds.has(holdId)
  }

  balance(account: string): Result.Result<Balance, UnknownAccount> {
    const acc = this.accounts.get(account)
    if (acc === undefined) return Result.fail(new UnknownAccount({ account }))
    return Result.succeed({ available: acc.available, held: acc.held })
  }

  /** Recomputes every sum from scratch; throws `InvariantViolation` if money was created or lost. */
  audit(): Totals {
    let available = 0n
    let held = 0n
    const heldBy = new Map<string, bigint>()
    for (const hold of this.holds.values()) {
      assert(hold.amount > 0n, `hold "${hold.id}" is not positive`)
      heldBy.set(hold.account, (heldBy.get(hold.account) ?? 0n) + hold.amount)
    }
    for (const [name, acc] of this.accounts) {
      assert(acc.available >= 0n, `account "${name}" available is ${acc.available}`)
      assert(acc.held === (heldBy.get(name) ?? 0n), `account "${name}" held ${acc.held} != sum of its holds`)
      available += acc.available
      held += acc.held
    }
    assert(available + held === this.supply, `available ${available} + held ${held} != supply ${this.supply}`)
    return { supply: this.supply, available, held, accounts: this.accounts.size, holds: this.holds.size }
  }

  private accountOf(hold: Hold): Account {
    const acc = this.accounts.get(hold.account)
    assert(acc !== undefined, `hold "${hold.id}" refers to missing account "${hold.account}"`)
    return acc as Account
  }

  // Bounded: the oldest key is forgotten first (Map keeps insertion order).
  private remember(key: string, entry: Remembered): void {
    this.keys.set(key, entry)
    if (this.keys.size > this.maxKeys) {
      const oldest = this.keys.keys().next()
      if (oldest.done !== true) this.keys.delete(oldest.value)
    }
    assert(this.keys.size <= this.maxKeys, `idempotency keys exceed their bound ${this.maxKeys}`)
  }
}
