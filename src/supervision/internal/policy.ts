/** Restart decisions, as pure functions. */
import { Cause, Exit } from "effect"
import type { RestartPolicy } from "../ChildSpec.ts"

/** Whether a child that exited with `exit` is started again under `policy`. */
export const willRestart = (policy: RestartPolicy, exit: Exit.Exit<void, unknown>): boolean => {
  switch (policy) {
    case "permanent":
      return true
    case "temporary":
      return false
    case "transient":
      return Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)
  }
}
