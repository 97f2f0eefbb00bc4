/**
 * A view of a `Supervisor` whose child-changing operations need `agent:supervise` (secure mode).
 * A denial is audited and is a defect: the `Supervisor` interface has no typed place for it.
 *
 * @internal
 */
import { Effect } from "effect"
import type * as Supervisor from "../../supervision/Supervisor.ts"
import * as Capabilities from "../capabilities.ts"
import type { SecureMode } from "../SecureMode.ts"

/**
 * `supervisor` with `startChild`, `stopChild`, `terminateChild`, `deleteChild`, `restartChild` checked.
 *
 * @since 0.1.0
 * @category utils
 */
export const guardSupervisor = (
  supervisor: Supervisor.Supervisor,
  secure: SecureMode["Service"]
): Supervisor.Supervisor => {
  const allowed = Effect.orDie(secure.require(Capabilities.supervise))
  return {
    ...supervisor,
    startChild: (spec) => Effect.andThen(allowed, supervisor.startChild(spec)),
    stopChild: (id) => Effect.andThen(allowed, supervisor.stopChild(id)),
    terminateChild: (id) => Effect.andThen(allowed, supervisor.terminateChild(id)),
    deleteChild: (id) => Effect.andThen(allowed, supervisor.deleteChild(id)),
    restartChild: (id) => Effect.andThen(allowed, supervisor.restartChild(id))
  }
}
