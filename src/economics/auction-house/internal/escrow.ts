/**
 * Escrow bookkeeping shared by the live auction drivers: a bidder's holds, paying a due amount
 * out of them and releasing the rest. Ledger failures here are broken invariants (the holds were
 * made by the driver and are settled only by it), so they die.
 *
 * Internal: only files under `src/economics/auction-house/` may import this.
 */
import { Effect } from "effect"
import { invariant } from "../../internal/invariant.ts"
import type { Hold, Ledger } from "../../ledger/index.ts"

/** The money held by `holds`. */
export const heldBy = (holds: ReadonlyArray<Hold>): bigint => holds.reduce((sum, h) => sum + h.amount, 0n)

/** Releases every hold. */
export const releaseAll = (ledger: Ledger["Service"], holds: ReadonlyArray<Hold>): Effect.Effect<void> =>
  Effect.forEach(holds, (h) => Effect.orDie(ledger.release(h.id)), { discard: true })

/** Pays `due` to `to` out of `holds` in order and releases what is left of them. */
export const payFromHolds = (
  ledger: Ledger["Service"],
  holds: ReadonlyArray<Hold>,
  due: bigint,
  to: string
): Effect.Effect<void> =>
  Effect.suspend(() => {
    invariant(heldBy(holds) >= due, `escrow ${heldBy(holds)} is less than the payment ${due}`)
    let left = due
    return Effect.forEach(holds, (hold) => {
      const take = left < hold.amount ? left : hold.amount
      left -= take
      return Effect.orDie(take > 0n ? ledger.capture({ hold: hold.id, to, amount: take }) : ledger.release(hold.id))
    }, { discard: true })
  })
