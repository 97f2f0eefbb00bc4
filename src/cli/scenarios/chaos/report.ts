/**
 * What the `chaos` scenario prints about one simulated run: the faults the simulator injected
 * (read back from the run's trace), the network's fate statistics and the verdict.
 *
 * @since 0.1.0
 */
import type { SimResult } from "../../../sim/index.ts"
import type { PartRun } from "./Part.ts"

/**
 * Trace lines kept per run: enough for every event of the chaos runs (a few thousand each).
 *
 * @since 0.1.0
 * @category constants
 */
export const TRACE_CAPACITY = 200_000

/**
 * The faults of one run, counted and in order (`"120 crash n3"`, `"260 heal"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface InjectedFaults {
  readonly crashes: number
  readonly restarts: number
  readonly partitions: number
  readonly heals: number
  readonly timeline: ReadonlyArray<string>
}

const FAULT = /^(\d+) (crash|restart|partition|heal)\b(.*)$/

/**
 * Reads the injected faults back from the trace (the simulator records each one as it happens).
 *
 * @since 0.1.0
 * @category utils
 */
export const injectedFaults = (result: SimResult): InjectedFaults => {
  const timeline: Array<string> = []
  const count = { crash: 0, restart: 0, partition: 0, heal: 0 }
  for (const line of result.traceTail) {
    const match = FAULT.exec(line)
    if (match === null) continue
    const kind = match[2] as keyof typeof count
    count[kind]++
    timeline.push(`${match[1]} ms ${kind}${match[3] ?? ""}`)
  }
  return { crashes: count.crash, restarts: count.restart, partitions: count.partition, heals: count.heal, timeline }
}

/**
 * Most timeline entries printed; the rest are summarised as "… and N more".
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_TIMELINE = 6

/**
 * The report lines common to every part: faults, network, verdict.
 *
 * @since 0.1.0
 * @category utils
 */
export const describeRun = (result: SimResult): ReadonlyArray<string> => {
  const faults = injectedFaults(result)
  const shown = faults.timeline.slice(0, MAX_TIMELINE).join("; ")
  const more = faults.timeline.length > MAX_TIMELINE ? `; … and ${faults.timeline.length - MAX_TIMELINE} more` : ""
  const { sent, delivered, dropped, duplicated } = result.stats
  const complete = result.traceCount <= TRACE_CAPACITY ? "" : " (trace truncated: counts are a lower bound)"
  return [
    `injected: ${faults.crashes} crashes, ${faults.restarts} restarts, ${faults.partitions} partitions, ${faults.heals} heals${complete}`,
    ...(faults.timeline.length === 0 ? [] : [`  ${shown}${more}`]),
    `network: ${sent} sent, ${delivered} delivered, ${dropped} dropped, ${duplicated} duplicated`,
    result.ok
      ? `verdict: ok after ${result.steps} checked steps (trace ${result.traceHash}, ${result.traceCount} events)`
      : `verdict: VIOLATED after ${result.steps} steps: ${result.violation ?? "unknown"}`
  ]
}

/**
 * A part's run from a simulator result and the part's own lines (printed before the common ones).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSimulation = (result: SimResult, lines: ReadonlyArray<string>): PartRun => {
  const faults = injectedFaults(result)
  return {
    ok: result.ok,
    violation: result.violation,
    steps: result.steps,
    faults: faults.crashes + faults.partitions,
    lines: [...lines, ...describeRun(result)],
    traceTail: result.traceTail
  }
}
