/**
 * The Transport seam (`mabeam/transport`): endpoints, addresses, best-effort counted delivery;
 * the in-process implementation and `RpcTransport` across processes.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Coordination } from "mabeam/coordination"
 * import { Transport } from "mabeam/transport"
 *
 * const local = Coordination.layer.pipe(Layer.provide(Transport.layerLocal()))
 * ```
 *
 * @since 0.1.0
 */
export {
  Address,
  AddressInUse,
  type Endpoint,
  type Envelope,
  makeLocal,
  Transport,
  type TransportStats,
  withTrace
} from "./Transport.ts"
/** The transport across processes, on `effect/rpc` sockets. */
export { RpcTransport } from "./rpc/index.ts"
/** A free TCP port on 127.0.0.1 (for loopback servers). */
export { freePort } from "./freePort.ts"
