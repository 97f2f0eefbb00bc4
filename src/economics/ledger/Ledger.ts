/**
 * The ledger: accounts with `bigint` balances, idempotent transfers, and holds (escrow) that
 * belong to a Scope.
 *
 * Conservation: the sum of every account's available and held money equals the supply, which
 * changes only through `mint` and `burn`. Every operation is atomic — it either happens fully or
 * fails with a typed error and changes nothing — and cannot be interrupted half-way. A hold made
 * in a Scope is released when that Scope closes unless it was captured first, so an agent that
 * dies mid-auction leaves no stuck escrow.
 *
 * Holds belong to whoever made them. A hold id is 128 unguessable bits (an HMAC of a counter
 * under a 256-bit key from `node:crypto`; in a seeded test or simulation — a `Random` provided
 * explicitly — under a fixed key, so the run replays), so only the code the id was handed to can
 * capture or release it. In secure mode (`SecureMode` in context when the
 * layer is built) every state-changing operation also checks the verified caller's capability:
 * `ledger:open:<account>`, `ledger:mint:<account>`, `ledger:burn:<account>`,
 * `ledger:transfer:<from>`, `ledger:hold:<account>`; `capture` and `release` are allowed to the
 * agent that made the hold or one holding `ledger:escrow:<account>`. Reads (`balance`, `audit`)
 * are not checked.
 *
 * @since 0.1.0
 */
import { createHash, createHmac, randomBytes } from "node:crypto"
import { Context, Effect, Layer, Option, Random, Result, Schema, Scope } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import { AccountId } from "../money.ts"
import type { Unauthorized } from "../../security/errors.ts"
// The file, not the folder's index: the index also exports agent helpers, and agents import the ledger's neighbours.
import { SecureMode } from "../../security/SecureMode.ts"
import { InvariantViolation } from "../../errors/Invariant.ts"
import { argument, traced } from "../../telemetry/index.ts"
import { Book } from "./internal/book.ts"
import type {
  AccountExists,
  CaptureExceedsHold,
  IdempotencyConflict,
  InsufficientFunds,
  UnknownAccount,
  UnknownHold
} from "./LedgerError.ts"
import {
  AccountAmount,
  type Balance,
  CaptureInput,
  type Hold,
  type Totals,
  type Transfer,
  TransferInput
} from "./schema.ts"

/**
 * Options of `Ledger.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LedgerOptions {
  /** How many idempotency keys are remembered; past this the oldest is forgotten. Default 100 000. */
  readonly maxIdempotencyKeys?: number
}

const checkLedgerOptions = decodeInput(
  Schema.Struct({ maxIdempotencyKeys: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))) }),
  "Ledger.layerWith"
)

const Account = decodeInput(AccountId, "Ledger.account")
const HoldId = Schema.String.check(Schema.isBetweenLength(1, 64))

/**
 * The key hold ids are derived from. By default 32 bytes from the OS CSPRNG (the default `Random`
 * is `Math.random`, whose state can be recovered from its outputs). When a `Random` was provided
 * explicitly — a seeded test or simulation — a fixed key is used instead, so the run replays and
 * the program's seeded `Random` stream is not advanced (drawing from it would change every later
 * seeded decision); ids are then predictable, which is why a seeded `Random` has no place in
 * production.
 */
const holdKey = (seeded: boolean): Buffer =>
  seeded ? createHash("sha256").update("mabeam-ledger-hold-ids-v1").digest() : randomBytes(32)

// Spans `mabeam.ledger.<operation>`, opened inside a caller's trace only. Amounts stay out of
// traces, and so do hold ids: unguessable, they are what lets their holder settle a hold.
const tracedOperations = ["open", "mint", "burn", "transfer", "hold", "capture", "release"] as const
const describeCall = (operation: string, args: ReadonlyArray<unknown>) => {
  if (operation === "release") return {}
  const account = operation === "capture" ? undefined : argument(args, operation === "transfer" ? "from" : "account")
  const to = operation === "transfer" || operation === "capture" ? argument(args, "to") : undefined
  return {
    ...(account === undefined ? {} : { "mabeam.ledger.account": account }),
    ...(to === undefined ? {} : { "mabeam.ledger.to": to })
  }
}

const make = (options: LedgerOptions): Effect.Effect<Ledger["Service"]> =>
  Effect.gen(function* () {
    const secure = Option.getOrUndefined(yield* Effect.serviceOption(SecureMode))
    // Seeded when the ledger was built with an explicitly provided `Random` (not the default).
    const key = holdKey(Context.getOrUndefined(yield* Effect.context<never>(), Random.Random) !== undefined)
    let holds = 0
    const book = new Book(
      options.maxIdempotencyKeys ?? 100_000,
      () => `hold-${createHmac("sha256", key).update(String(++holds)).digest("hex").slice(0, 32)}`
    )
    const run = <A, E>(f: () => Result.Result<A, E>): Effect.Effect<A, E> =>
      Effect.suspend(() => {
        try {
          return Effect.fromResult(f())
        } catch (error) {
          // Only `InvariantViolation` is ever thrown by the book: a broken invariant is a defect.
          return Effect.die(error instanceof InvariantViolation ? error : new InvariantViolation(String(error)))
        }
      })
    const decodeTransfer = decodeInput(TransferInput, "Ledger.transfer")
    const decodeMint = decodeInput(AccountAmount, "Ledger.mint")
    const decodeBurn = decodeInput(AccountAmount, "Ledger.burn")
    const decodeHold = decodeInput(AccountAmount, "Ledger.hold")
    const decodeCapture = decodeInput(CaptureInput, "Ledger.capture")
    const decodeRelease = decodeInput(HoldId, "Ledger.release")
    const decodeOpen = decodeInput(AccountId, "Ledger.open")

    // Secure mode: the verified caller must hold `capability`; off, nothing is checked.
    const guarded = <A, E>(capability: string, effect: Effect.Effect<A, E>): Effect.Effect<A, E | Unauthorized> =>
      secure === undefined ? effect : Effect.andThen(secure.require(capability), effect)
    // Settling a hold: its maker, or an escrow agent of its account. An unknown hold falls through
    // to the book, which reports `UnknownHold`.
    const settling = <A, E>(holdId: string, effect: Effect.Effect<A, E>): Effect.Effect<A, E | Unauthorized> => {
      if (secure === undefined) return effect
      return Effect.gen(function* () {
        const holder = book.holder(holdId)
        if (holder === undefined) return yield* effect
        const caller = yield* secure.caller
        const capability = `ledger:escrow:${holder.account}`
        if (holder.owner !== caller && !(yield* secure.holds(caller, capability))) {
          return yield* secure.deny(caller, capability, `settle hold ${holdId} made by ${holder.owner ?? "nobody"}`)
        }
        return yield* effect
      })
    }

    return Ledger.of(
      traced<Ledger["Service"]>("ledger", tracedOperations, { withinTrace: true, describe: describeCall })({
        open: (account) =>
          Effect.flatMap(decodeOpen(account), (a) =>
            guarded(
              `ledger:open:${a}`,
              run(() => book.open(a))
            )
          ),
        mint: (input) =>
          Effect.flatMap(decodeMint(input), (i) =>
            guarded(
              `ledger:mint:${i.account}`,
              run(() => book.mint(i.account, i.amount))
            )
          ),
        burn: (input) =>
          Effect.flatMap(decodeBurn(input), (i) =>
            guarded(
              `ledger:burn:${i.account}`,
              run(() => book.burn(i.account, i.amount))
            )
          ),
        transfer: (input) =>
          Effect.flatMap(decodeTransfer(input), (i) =>
            guarded(
              `ledger:transfer:${i.from}`,
              run(() => book.transfer(i.from, i.to, i.amount, i.key))
            )
          ),
        hold: (input) =>
          Effect.flatMap(decodeHold(input), (i) =>
            Effect.acquireRelease(
              secure === undefined
                ? run(() => book.hold(i.account, i.amount, undefined))
                : Effect.flatMap(secure.require(`ledger:hold:${i.account}`), (owner) =>
                    run(() => book.hold(i.account, i.amount, owner))
                  ),
              // Settled holds are gone from the book; releasing them again is a no-op by design.
              (hold) => Effect.sync(() => (book.isHeld(hold.id) ? book.release(hold.id) : undefined))
            )
          ),
        capture: (input) =>
          Effect.flatMap(decodeCapture(input), (i) =>
            settling(
              i.hold,
              run(() => book.capture(i.hold, i.to, i.amount, i.keepRest === true))
            )
          ),
        release: (hold) =>
          Effect.flatMap(decodeRelease(hold), (h) =>
            settling(
              h,
              run(() => book.release(h))
            )
          ),
        balance: (account) => Effect.flatMap(Account(account), (a) => run(() => book.balance(a))),
        audit: run(() => Result.succeed(book.audit()))
      })
    )
  })

/**
 * The ledger service. All amounts are `bigint` minor units.
 *
 * @since 0.1.0
 * @category services
 */
export class Ledger extends Context.Service<
  Ledger,
  {
    /** Opens an empty account. Fails with `AccountExists` if the name is taken. */
    readonly open: (account: string) => Effect.Effect<void, AccountExists | InvalidInput | Unauthorized>
    /** Creates money on `account` (the only way supply grows). */
    readonly mint: (input: AccountAmount) => Effect.Effect<void, UnknownAccount | InvalidInput | Unauthorized>
    /** Destroys available money on `account` (the only way supply shrinks). */
    readonly burn: (
      input: AccountAmount
    ) => Effect.Effect<void, UnknownAccount | InsufficientFunds | InvalidInput | Unauthorized>
    /**
     * Moves `amount` from `from` to `to`. With a `key`, replaying the same transfer returns the first
     * receipt and moves nothing; reusing the key for a different transfer fails with `IdempotencyConflict`.
     */
    readonly transfer: (
      input: TransferInput
    ) => Effect.Effect<Transfer, UnknownAccount | InsufficientFunds | IdempotencyConflict | InvalidInput | Unauthorized>
    /**
     * Reserves `amount` of `account`'s available money for the current Scope. The hold is released
     * when the Scope closes unless `capture` or `release` settled it first.
     */
    readonly hold: (
      input: AccountAmount
    ) => Effect.Effect<Hold, UnknownAccount | InsufficientFunds | InvalidInput | Unauthorized, Scope.Scope>
    /**
     * Pays `amount` (default: all) of a hold to `to`. The rest goes back to the holder and the hold
     * is settled — unless `keepRest` is true, in which case the rest stays held under the same id.
     */
    readonly capture: (
      input: CaptureInput
    ) => Effect.Effect<Transfer, UnknownHold | UnknownAccount | CaptureExceedsHold | InvalidInput | Unauthorized>
    /** Returns a hold's money to its account. Fails with `UnknownHold` if it was already settled. */
    readonly release: (hold: string) => Effect.Effect<void, UnknownHold | InvalidInput | Unauthorized>
    /** The account's available and held money. */
    readonly balance: (account: string) => Effect.Effect<Balance, UnknownAccount | InvalidInput>
    /** Recomputes all totals and checks conservation; dies if money was created or lost. */
    readonly audit: Effect.Effect<Totals>
  }
>()("mabeam/Ledger") {
  /**
   * An in-memory ledger with the given options; `InvalidInput` if `maxIdempotencyKeys` is not a
   * positive integer (0 would silently turn idempotency off).
   */
  static readonly layerWith = (options: LedgerOptions = {}): Layer.Layer<Ledger, InvalidInput> =>
    Layer.effect(Ledger, Effect.flatMap(checkLedgerOptions(options), make))

  /** The in-memory ledger, the default. */
  static readonly layer: Layer.Layer<Ledger> = Layer.effect(
    Ledger,
    Effect.suspend(() => make({}))
  )
}
