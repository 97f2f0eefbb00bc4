/**
 * The Transport implementations side by side, in the same run: a burst of 1000 one-way messages
 * from one endpoint to another, sent and all received, through the in-process transport
 * (baseline) and through two `RpcTransport`s talking over TCP on 127.0.0.1; and a ping-pong round
 * trip through each.
 */
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { type Endpoint, freePort as freePortEffect, makeLocal, Transport } from "../src/transport/index.ts"
import { RpcTransport } from "../src/transport/rpc/index.ts"
import { defineBench } from "./lib/index.ts"

const freePort = () => Effect.runPromise(freePortEffect)

const BURST = 1_000
const scope = Scope.makeUnsafe()
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

interface Pair {
  readonly from: Endpoint
  readonly to: Endpoint
}
let local: Pair
let remote: Pair

/** Sends `count` messages from `pair.from` and waits until `pair.to` received them all. */
const burst = (pair: Pair, count: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < count; i++) yield* pair.from.send(pair.to.address, i)
    let received = 0
    while (received < count) received += (yield* pair.to.receive).length
  })

/** One message there and one back. */
const pingPong = (pair: Pair) =>
  Effect.gen(function* () {
    yield* pair.from.send(pair.to.address, "ping")
    yield* pair.to.receive
    yield* pair.to.send(pair.from.address, "pong")
    yield* pair.from.receive
  })

const setup = async () => {
  const inProcess = makeLocal("local")
  local = await run(Scope.provide(Effect.all({ from: inProcess.bind("a"), to: inProcess.bind("b") }), scope))
  const [portA, portB] = [await freePort(), await freePort()]
  const peers = { a: { host: "127.0.0.1", port: portA }, b: { host: "127.0.0.1", port: portB } }
  const onA = Context.get(
    await run(Layer.buildWithScope(RpcTransport.layer({ node: "a", port: portA, peers }), scope)),
    Transport
  )
  const onB = Context.get(
    await run(Layer.buildWithScope(RpcTransport.layer({ node: "b", port: portB, peers }), scope)),
    Transport
  )
  remote = await run(Scope.provide(Effect.all({ from: onA.bind("a"), to: onB.bind("b") }), scope))
  await run(burst(remote, 10))
}

export default defineBench("transport", [
  {
    group: "1000 one-way messages, sent and received",
    setup,
    baseline: { name: "in-process transport", ops: BURST, fn: () => run(burst(local, BURST)) },
    cases: [{ name: "RpcTransport, two nodes over TCP 127.0.0.1", ops: BURST, fn: () => run(burst(remote, BURST)) }]
  },
  {
    group: "ping-pong round trip",
    baseline: { name: "in-process transport", fn: () => run(pingPong(local)) },
    cases: [{ name: "RpcTransport, two nodes over TCP 127.0.0.1", fn: () => run(pingPong(remote)) }],
    teardown: () => run(Scope.close(scope, Exit.void))
  }
])
