/** The simulated transport: many simulated nodes, seeded delay / drop / duplicate / partition / crash. */
export { Inbox } from "./Inbox.ts"
export {
  LinkFaults,
  makeSimNetwork,
  type SimNetwork,
  SimNetworkOptions,
  type SimNetworkStats,
  type TraceSink
} from "./SimNetwork.ts"
