/**
 * The cluster demo: flagship workers as cluster agents over runner processes on loopback
 * (`npm run cluster:demo`). Kept out of `src/cluster/index.ts`: it pulls in the flagship and the
 * iris models, which a cluster deployment does not need.
 *
 * @since 0.2.0
 */
export {
  type ClusterDemoOptions,
  type ClusterDemoReport,
  type DemoTrial,
  drawOf,
  formatClusterDemo,
  runClusterDemo
} from "./ClusterDemo.ts"
export { type RunnerProcess, RunnerStartError } from "./processes.ts"
export { DemoWorker, RunnerProbe, Where } from "./team.ts"
