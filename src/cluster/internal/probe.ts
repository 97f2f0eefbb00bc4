/**
 * An observation point on activations, for checkers (the simulated cluster counts the live
 * activations of every id to check that an agent is never active on two runners at once). The
 * host calls `activated` once an activation has loaded its state and `deactivated` when its scope
 * closes (passivation, shard hand-off, shutdown). Absent by default: costs one context read per
 * activation.
 */
import { Context } from "effect"

/**
 * Told of each activation of a cluster agent on the runner it is provided to.
 *
 * @since 0.1.0
 * @category models
 */
export interface ActivationProbe {
  readonly activated: (kind: string, id: string) => void
  readonly deactivated: (kind: string, id: string) => void
}

/**
 * The probe of a runner; `undefined` (no probe) by default.
 *
 * @since 0.1.0
 * @category utils
 */
export const ActivationProbe = Context.Reference<ActivationProbe | undefined>("mabeam/cluster/ActivationProbe", {
  defaultValue: () => undefined
})
