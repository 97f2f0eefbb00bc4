/** Wiring shared by the ML-coordination tests. */
import { Effect, Layer, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { AgentSystem } from "../../src/agent/index.ts"
import { Ledger } from "../../src/economics/index.ts"

/** An agent system and an in-memory ledger. */
export const withEconomy = <A, E>(effect: Effect.Effect<A, E, AgentSystem | Ledger.Ledger | Scope.Scope>) =>
  effect.pipe(
    Effect.ensuring(TestClock.adjust("1 minute")),
    Effect.provide(Layer.mergeAll(AgentSystem.layer, Ledger.Ledger.layer))
  )

/** Opens `accounts`, minting `amount` on each. */
export const fund = (accounts: Record<string, bigint>) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger.Ledger
    for (const [account, amount] of Object.entries(accounts)) {
      yield* ledger.open(account)
      if (amount > 0n) yield* ledger.mint({ account, amount })
    }
  })
