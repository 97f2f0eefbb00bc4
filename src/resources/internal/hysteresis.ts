/**
 * The alert state machine: raised at `raiseAt`, cleared only at `clearAt` or below. Between the
 * two thresholds nothing changes, so a value hovering around one threshold cannot flap.
 *
 * @internal
 */

/**
 * What one observation did to an alert.
 *
 * @since 0.1.0
 * @category models
 */
export type Transition = "raised" | "cleared" | undefined

/**
 * The next state (`raised` or not) after observing `value`, and the transition, if any.
 *
 * @since 0.1.0
 * @category utils
 */
export const step = (
  raised: boolean,
  value: number,
  thresholds: { readonly raiseAt: number; readonly clearAt: number }
): readonly [boolean, Transition] => {
  if (!raised && value >= thresholds.raiseAt) return [true, "raised"]
  if (raised && value <= thresholds.clearAt) return [false, "cleared"]
  return [raised, undefined]
}
