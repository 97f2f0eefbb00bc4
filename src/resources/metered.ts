/**
 * `metered`: an agent definition whose every handler run goes through `Quotas.meter`, so its
 * Clock time is charged to the agent's usage and its `cpuMillisPerRun` limit is enforced — with
 * no change to the agent runtime. Under `shed` or `pause`, an overrunning run is interrupted and
 * fails with `QuotaExceeded`, which crashes the agent like any handler failure: its supervisor
 * decides what happens next (restart, give up).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import type { AgentDefinition } from "../agent/index.ts"
import type { InvalidInput } from "../errors/index.ts"
import type { QuotaExceeded } from "./errors.ts"
import { Quotas } from "./Quotas.ts"

/**
 * Wraps `definition` so each handler run is metered under the agent's own id.
 *
 * @example
 * ```ts
 * const ref = yield* system.spawn(metered(Worker), { id: "worker-1" })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const metered = <S, M, E, R>(
  definition: AgentDefinition<S, M, E, R>
): AgentDefinition<S, M, E | QuotaExceeded | InvalidInput, R | Quotas> => ({
  ...definition,
  handle: (state, message, context) =>
    Effect.flatMap(Quotas, (quotas) =>
      quotas.meter(
        context.self.id,
        Effect.suspend(() => {
          const step = definition.handle(state, message, context)
          return Effect.isEffect(step) ? step : Effect.succeed(step)
        })
      )
    )
})
