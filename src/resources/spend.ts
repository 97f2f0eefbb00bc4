/**
 * Budget quotas: an agent spends through the budget configured for it in `QuotaConfig.budgets`,
 * so `Budgets` enforces the limit (always shed: an exhausted budget fails at once).
 *
 * @since 0.1.0
 */
import { Effect, Option, Schema } from "effect"
import { Amount, type Budgets, type Ledger } from "../economics/index.ts"
import { decodeInput, InvalidInput } from "../errors/index.ts"
import { Id, type QuotaConfig } from "./schema.ts"
import type { UsageTable } from "./Usage.ts"

/**
 * What `Quotas.spend` pays: `amount` minor units to account `to`; `key` makes it idempotent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SpendRequest = Schema.Struct({
  to: Id,
  amount: Amount,
  key: Schema.optionalKey(Schema.String.check(Schema.isBetweenLength(1, 200)))
})
/**
 * What `Quotas.spend` pays.
 *
 * @since 0.1.0
 * @category models
 */
export type SpendRequest = typeof SpendRequest.Type

/**
 * Everything `Quotas.spend` can fail with: the `Budgets` errors, or `InvalidInput`.
 *
 * @since 0.1.0
 * @category models
 */
export type SpendError = Effect.Error<ReturnType<Budgets.Budgets["Service"]["spend"]>> | InvalidInput

const decode = decodeInput(Schema.Struct({ agent: Id, request: SpendRequest }), "Quotas.spend")

/**
 * Builds `Quotas.spend` over the optional `Budgets` service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSpend =
  (config: QuotaConfig, budgets: Option.Option<Budgets.Budgets["Service"]>, usage: UsageTable) =>
  (agent: unknown, request: unknown): Effect.Effect<Ledger.Transfer, SpendError> =>
    Effect.flatMap(decode({ agent, request }), (input) => {
      const budget =
        config.budgets !== undefined && Object.hasOwn(config.budgets, input.agent)
          ? config.budgets[input.agent]
          : undefined
      if (budget === undefined) {
        return Effect.fail(
          new InvalidInput({ where: "Quotas.spend", issue: `agent "${input.agent}" has no budget configured` })
        )
      }
      if (Option.isNone(budgets)) {
        return Effect.fail(new InvalidInput({ where: "Quotas.spend", issue: "no Budgets service is provided" }))
      }
      return budgets.value.spend({ budget, ...input.request }).pipe(
        Effect.tap(() =>
          Effect.sync(() => {
            usage.row(input.agent).spent += input.request.amount
          })
        ),
        Effect.tapError((error) =>
          Effect.sync(() => {
            if (error._tag === "BudgetExceeded") usage.row(input.agent).rejections++
          })
        )
      )
    })
