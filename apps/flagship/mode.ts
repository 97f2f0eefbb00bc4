/**
 * The flagship's modes: `default` (a team of strategists bidding for evaluation slots) and
 * `tournament` (successive halving over candidate agents, with prediction markets), and its tasks
 * (`spirals`, the default, and `iris`). Light on purpose: the CLI checks its flags with these
 * before it loads anything else.
 *
 * @since 0.1.0
 */

/** Every mode, the default first. */
export const FLAGSHIP_MODES = ["default", "tournament"] as const

/** A mode of the flagship. */
export type FlagshipMode = (typeof FLAGSHIP_MODES)[number]

/**
 * Reads a `--mode` value: `undefined` is the default mode; anything else must name a mode. The
 * failure is a message for the user.
 */
export const parseMode = (
  raw: string | undefined
): { readonly _tag: "Mode"; readonly mode: FlagshipMode } | { readonly _tag: "Invalid"; readonly message: string } => {
  if (raw === undefined) return { _tag: "Mode", mode: "default" }
  const mode = FLAGSHIP_MODES.find((candidate) => candidate === raw)
  return mode === undefined
    ? { _tag: "Invalid", message: `--mode must be one of ${FLAGSHIP_MODES.join(", ")}; got "${raw}"` }
    : { _tag: "Mode", mode }
}

/** The tasks of the flagship (`npm start -- --task <task>`), the default first. */
export const TASKS = ["spirals", "iris"] as const

/** The name of a task. */
export type TaskName = (typeof TASKS)[number]

/**
 * Reads a `--task` value: `undefined` is the default task; anything else must name a task. The
 * failure is a message for the user.
 */
export const parseTask = (
  raw: string | undefined
): { readonly _tag: "Task"; readonly task: TaskName } | { readonly _tag: "Invalid"; readonly message: string } => {
  if (raw === undefined) return { _tag: "Task", task: "spirals" }
  const task = TASKS.find((candidate) => candidate === raw)
  return task === undefined
    ? { _tag: "Invalid", message: `--task must be one of ${TASKS.join(", ")}; got "${raw}"` }
    : { _tag: "Task", task }
}
