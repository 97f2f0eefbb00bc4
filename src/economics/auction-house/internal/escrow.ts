/**
 * Escrow bookkeeping shared by the live auction drivers: a bidder's holds, paying a due amount
 * out of them and releasing the rest. Nothing here dies on a ledger refusal: a capture the ledger
 * refuses fails typed (the driver ends the auction `SettlementFailed`), and a release it refuses
 * is left alone, since every hold lives in the auction's scope, which returns it when the auction
 * ends.
 *
 * Internal: only files under `src/economics/auction-house/` may import this.
 */
import { Effect } from "effect"
import { invariant } from "../../../errors/Invariant.ts"
import type { Hold, Ledger } from "../../ledger/index.ts"
import { CallerToken } from "../../../security/SecureMode.ts"

/**
 * What a ledger capture can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type CaptureError = Effect.Error<ReturnType<Ledger["Service"]["capture"]>>

/**
 * The money held by `holds`.
 *
 * @since 0.1.0
 * @category utils
 */
export const heldBy = (holds: ReadonlyArray<Hold>): bigint => holds.reduce((sum, h) => sum + h.amount, 0n)

/**
 * Releases every hold; one the ledger refuses to release is returned when its scope closes.
 *
 * @since 0.1.0
 * @category utils
 */
export const releaseAll = (ledger: Ledger["Service"], holds: ReadonlyArray<Hold>): Effect.Effect<void> =>
  Effect.forEach(holds, (h) => Effect.ignore(ledger.release(h.id)), { discard: true })

/**
 * Pays `due` to `to` out of `holds` in order and releases what is left of them, reporting each
 * amount captured to `captured`. Fails with the ledger's error at the first capture it refuses
 * (captures made before it stand: `payWinners` reverses them).
 *
 * @since 0.1.0
 * @category utils
 */
export const payFromHolds = (
  ledger: Ledger["Service"],
  holds: ReadonlyArray<Hold>,
  due: bigint,
  to: string,
  captured: (amount: bigint) => void = () => {}
): Effect.Effect<void, CaptureError> =>
  Effect.suspend(() => {
    invariant(heldBy(holds) >= due, `escrow ${heldBy(holds)} is less than the payment ${due}`)
    let left = due
    return Effect.forEach(
      holds,
      (hold) => {
        const take = left < hold.amount ? left : hold.amount
        left -= take
        return take > 0n
          ? Effect.map(ledger.capture({ hold: hold.id, to, amount: take }), () => captured(take))
          : Effect.ignore(ledger.release(hold.id))
      },
      { discard: true }
    )
  })

/**
 * Settles an auction all or nothing: pays each bidder's `due` to `seller` out of its holds (a
 * bidder owing nothing has its holds released). If the ledger refuses any capture part-way, every
 * payment already made is transferred back from `seller` to its bidder before the error is
 * returned, so a failed settlement leaves every bidder as before the auction (the holds not yet
 * captured go back with the auction's scope). A reversal needs `ledger:transfer:<seller>` in
 * secure mode; one the ledger refuses is logged as an error, and the money stays with the seller.
 *
 * @since 0.1.0
 * @category utils
 */
export const payWinners = (
  ledger: Ledger["Service"],
  seller: string,
  escrow: Iterable<readonly [string, ReadonlyArray<Hold>]>,
  dueOf: (bidder: string) => bigint
): Effect.Effect<void, CaptureError> =>
  Effect.suspend(() => {
    const paid: Array<readonly [string, bigint]> = []
    const pay = Effect.forEach(
      escrow,
      ([bidder, holds]) => {
        const due = dueOf(bidder)
        return due === 0n
          ? releaseAll(ledger, holds)
          : payFromHolds(ledger, holds, due, seller, (amount) => paid.push([bidder, amount]))
      },
      { discard: true }
    )
    const reverse = Effect.forEach(
      paid,
      ([bidder, amount]) =>
        ledger
          .transfer({ from: seller, to: bidder, amount })
          .pipe(
            Effect.catch((error) =>
              Effect.logError(
                `settlement reversal refused: ${amount} stays with "${seller}", owed back to "${bidder}" (${error._tag})`
              )
            )
          ),
      { discard: true }
    )
    return Effect.catch(pay, (error) => Effect.andThen(reverse, Effect.fail(error)))
  })

/**
 * Runs effects as the house's escrow agent: the caller token `authority` (secure mode) when the
 * house was given one, otherwise as the effect's own caller.
 *
 * @since 0.1.0
 * @category utils
 */
export const asAuthority =
  (authority: string | undefined) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    authority === undefined ? effect : Effect.provideService(effect, CallerToken, authority)
