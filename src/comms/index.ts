/** Comms: topics (pub/sub) and broadcast to a registry selection, never blocked by a slow receiver. */
export { Comms, type Delivery, make, Topic } from "./Comms.ts"
