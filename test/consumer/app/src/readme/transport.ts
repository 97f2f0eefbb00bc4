/** README "Comms and transport": the block, around a program that needs a Transport. */
import { Effect } from "effect"
import { Transport } from "mabeam"

const program = Effect.gen(function*() {
  const transport = yield* Transport.Transport
  return transport
})

export const transportBlock = Effect.suspend(() => {
  // README:begin
  const peers = { n0: { host: "127.0.0.1", port: 7001 }, n1: { host: "127.0.0.1", port: 7002 } }
  const app = Effect.provide(program, Transport.RpcTransport.layer({ node: "n0", port: 7001, peers }))
  // README:end
  return app
})
