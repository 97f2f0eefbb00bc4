/**
 * The scenarios the `mabeam` CLI knows. To add one, write a module exporting a `Scenario` and add
 * it to `scenarios` below; `mabeam run`, `inspect` and `dashboard` pick it up.
 *
 * @since 0.1.0
 */
import { agents } from "./agents.ts"
import { auction } from "./auction.ts"
import { chaos } from "./chaos/index.ts"
import { cluster } from "./cluster.ts"
import { coordination } from "./coordination.ts"
import { flagship } from "./flagship.ts"
import type { Scenario } from "./Scenario.ts"
import { tournament } from "./tournament.ts"

export type { Scenario, ScenarioOptions, ScenarioReport, ScenarioServices } from "./Scenario.ts"
export { agents } from "./agents.ts"
export { auction } from "./auction.ts"
export { brokenChaos, chaos, ChaosViolation, runChaos } from "./chaos/index.ts"
export { cluster } from "./cluster.ts"
export { coordination } from "./coordination.ts"
export { flagship } from "./flagship.ts"
export { tournament } from "./tournament.ts"

/**
 * Every known scenario by name, in the order `--help` lists them.
 *
 * @since 0.1.0
 * @category utils
 */
export const scenarios: ReadonlyMap<string, Scenario> = new Map(
  [flagship, agents, auction, chaos, cluster, tournament, coordination].map((scenario) => [scenario.name, scenario])
)
