/** Restart decisions, as pure functions. */
import { Exit } from "effect"
import type { RestartPolicy } from "../ChildSpec.ts"

/**
 * Whether a child that exited with `exit` (on its own, or killed from outside: exits caused by
 * the supervisor itself never reach this decision) is started again under `policy`.
 *
 * @since 0.1.0
 * @category utils
 */
export const willRestart = (policy: RestartPolicy, exit: Exit.Exit<void, unknown>): boolean => {
  switch (policy) {
    case "permanent":
      return true
    case "temporary":
      return false
    case "transient":
      return Exit.isFailure(exit)
  }
}
