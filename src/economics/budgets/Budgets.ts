/**
 * Budgets: spending limits for agents and teams, drawn from ledger accounts.
 *
 * A budget lets its holder spend up to `limit` from `account` per `period` ms (Clock time; the
 * window restarts at the first spend after it elapses; no period = a lifetime cap). A budget may
 * have a `parent` (an agent's budget inside its team's): a spend must fit every budget up the
 * chain, and counts against all of them. A spend with a `key` seen before returns the first
 * transfer and is not counted again. Spends are serialised, atomic and uninterruptible: the
 * ledger transfer and the bookkeeping happen together or not at all.
 *
 * **Bounds.** At most `maxBudgets` budgets (default 10 000): `create` past it fails with
 * `TooManyBudgets`. Budgets are never evicted — forgetting one would silently lift a spending
 * limit — so the cap rejects instead. The last 100 000 idempotency keys are remembered.
 *
 * @since 0.1.0
 */
import { Clock, Context, Effect, Layer, Schema, Semaphore } from "effect"
import { decodeInput, type InvalidInput } from "../../errors/index.ts"
import {
  type IdempotencyConflict,
  type InsufficientFunds,
  Ledger,
  type Transfer,
  type Unauthorized,
  type UnknownAccount
} from "../ledger/index.ts"
import { AccountId, Amount } from "../money.ts"

/**
 * The spend would exceed a budget in the chain.
 *
 * @since 0.1.0
 * @category errors
 */
export class BudgetExceeded extends Schema.TaggedError<BudgetExceeded>()("BudgetExceeded", {
  budget: Schema.String,
  remaining: Schema.BigInt,
  needed: Schema.BigInt
}) {
  override get message(): string {
    return `budget "${this.budget}" has ${this.remaining} left, needs ${this.needed}`
  }
}

/**
 * No budget has this id, or `create` named an unknown parent.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownBudget extends Schema.TaggedError<UnknownBudget>()("UnknownBudget", { budget: Schema.String }) {
  override get message(): string {
    return `budget "${this.budget}" does not exist`
  }
}

/**
 * `create` was called with an id already in use.
 *
 * @since 0.1.0
 * @category errors
 */
export class BudgetExists extends Schema.TaggedError<BudgetExists>()("BudgetExists", { budget: Schema.String }) {
  override get message(): string {
    return `budget "${this.budget}" already exists`
  }
}

/**
 * `create` was refused: `limit` budgets already exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyBudgets extends Schema.TaggedError<TooManyBudgets>()("TooManyBudgets", {
  budget: Schema.String,
  limit: Schema.Number
}) {
  override get message(): string {
    return `cannot create budget "${this.budget}": ${this.limit} budgets already exist`
  }
}

/**
 * Options of `Budgets.layerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface BudgetsOptions {
  /** How many budgets may exist. Default 10 000. */
  readonly maxBudgets?: number
}

/**
 * Input of `Budgets.create`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BudgetSpec = Schema.Struct({
  id: AccountId,
  account: AccountId,
  limit: Amount,
  period: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  parent: Schema.optionalKey(AccountId)
})
/**
 * Input of `Budgets.create`.
 *
 * @since 0.1.0
 * @category models
 */
export type BudgetSpec = typeof BudgetSpec.Type

/**
 * Input of `Budgets.spend`. `key` makes the underlying transfer idempotent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SpendInput = Schema.Struct({
  budget: AccountId,
  to: AccountId,
  amount: Amount,
  key: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 200)))
})
/**
 * Input of `Budgets.spend`.
 *
 * @since 0.1.0
 * @category models
 */
export type SpendInput = typeof SpendInput.Type

interface State {
  readonly spec: BudgetSpec
  spent: bigint
  windowStart: number
}

/**
 * The budgets service. Requires `Ledger`.
 *
 * @since 0.1.0
 * @category services
 */
export class Budgets extends Context.Service<
  Budgets,
  {
    /** Creates a budget over an existing account (and optional parent budget). */
    readonly create: (
      spec: BudgetSpec
    ) => Effect.Effect<void, BudgetExists | TooManyBudgets | UnknownBudget | UnknownAccount | InvalidInput>
    /** Spends from the budget's account to `to`, within every limit up the chain. */
    readonly spend: (
      input: SpendInput
    ) => Effect.Effect<
      Transfer,
      | BudgetExceeded
      | UnknownBudget
      | UnknownAccount
      | InsufficientFunds
      | IdempotencyConflict
      | InvalidInput
      | Unauthorized
    >
    /** What the budget still allows in its current window (not counting its parents). */
    readonly remaining: (budget: string) => Effect.Effect<bigint, UnknownBudget | InvalidInput>
  }
>()("mabeam/Budgets") {
  /** Budgets with the given bounds over the `Ledger` in context. */
  static readonly layerWith = (options: BudgetsOptions = {}): Layer.Layer<Budgets, never, Ledger> =>
    Layer.effect(
      Budgets,
      Effect.suspend(() => make(options))
    )

  /** Budgets over the `Ledger` in context, with default bounds. */
  static readonly layer: Layer.Layer<Budgets, never, Ledger> = Budgets.layerWith()
}

const make = (options: BudgetsOptions) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    const maxBudgets = options.maxBudgets ?? 10_000
    const lock = yield* Semaphore.make(1)
    const budgets = new Map<string, State>()
    // Keys already spent, so a replay is not counted twice; bounded, the oldest forgotten first.
    const spentKeys = new Map<string, Transfer>()
    const decodeSpec = decodeInput(BudgetSpec, "Budgets.create")
    const decodeSpend = decodeInput(SpendInput, "Budgets.spend")
    const decodeId = decodeInput(AccountId, "Budgets.remaining")

    const get = (budget: string) =>
      Effect.suspend(() => {
        const state = budgets.get(budget)
        return state === undefined ? Effect.fail(new UnknownBudget({ budget })) : Effect.succeed(state)
      })
    const left = (state: State, now: number): bigint => {
      const period = state.spec.period
      const fresh = period !== undefined && now - state.windowStart >= period
      return state.spec.limit - (fresh ? 0n : state.spent)
    }
    const roll = (state: State, now: number): void => {
      const period = state.spec.period
      if (period !== undefined && now - state.windowStart >= period) {
        state.spent = 0n
        state.windowStart = now
      }
    }
    // Budgets form a forest: `create` only accepts an existing parent, so chains end.
    const chain = (state: State): Array<State> => {
      const out = [state]
      let parent = state.spec.parent
      while (parent !== undefined) {
        const next = budgets.get(parent)
        if (next === undefined) break
        out.push(next)
        parent = next.spec.parent
      }
      return out
    }

    return Budgets.of({
      create: (input) =>
        lock.withPermit(
          Effect.gen(function* () {
            const spec = yield* decodeSpec(input)
            if (budgets.has(spec.id)) return yield* new BudgetExists({ budget: spec.id })
            if (budgets.size >= maxBudgets) return yield* new TooManyBudgets({ budget: spec.id, limit: maxBudgets })
            if (spec.parent !== undefined) yield* get(spec.parent)
            yield* ledger.balance(spec.account)
            budgets.set(spec.id, { spec, spent: 0n, windowStart: yield* Clock.currentTimeMillis })
          })
        ),
      spend: (input) =>
        lock.withPermit(
          Effect.uninterruptible(
            Effect.gen(function* () {
              const spend = yield* decodeSpend(input)
              const state = yield* get(spend.budget)
              const replay = spend.key === undefined ? undefined : spentKeys.get(spend.key)
              if (replay !== undefined) return replay
              const now = yield* Clock.currentTimeMillis
              const all = chain(state)
              for (const b of all) {
                const remaining = left(b, now)
                if (remaining < spend.amount) {
                  return yield* new BudgetExceeded({ budget: b.spec.id, remaining, needed: spend.amount })
                }
              }
              const transfer = yield* ledger.transfer({
                from: state.spec.account,
                to: spend.to,
                amount: spend.amount,
                ...(spend.key === undefined ? {} : { key: spend.key })
              })
              for (const b of all) {
                roll(b, now)
                b.spent += spend.amount
              }
              if (spend.key !== undefined) {
                spentKeys.set(spend.key, transfer)
                if (spentKeys.size > 100_000) {
                  const oldest = spentKeys.keys().next()
                  if (oldest.done !== true) spentKeys.delete(oldest.value)
                }
              }
              return transfer
            })
          )
        ),
      remaining: (budget) =>
        Effect.gen(function* () {
          const state = yield* get(yield* decodeId(budget))
          return left(state, yield* Clock.currentTimeMillis)
        })
    })
  })
