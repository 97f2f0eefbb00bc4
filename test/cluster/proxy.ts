/**
 * A fault-injecting TCP proxy on loopback for the partition tests: it listens on 127.0.0.1 (a port
 * the OS picks) and forwards every connection to 127.0.0.1:`target`, both ways.
 *
 * `cut()` destroys the open connections and makes new ones fail at once (each accepted socket is
 * destroyed before anything is read or forwarded); `heal()` forwards again. The proxy is closed,
 * with all its connections, when the scope of `makeProxy` closes.
 */
import { createConnection, createServer, type Socket } from "node:net"
import { Effect } from "effect"

/** A running proxy. */
export interface Proxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number
  /** The port it forwards to (127.0.0.1). */
  readonly target: number
  /** Destroys every open connection and refuses new ones until `heal`. */
  readonly cut: Effect.Effect<void>
  /** Forwards new connections again. */
  readonly heal: Effect.Effect<void>
  /** Connections accepted and forwarded so far. */
  readonly forwarded: () => number
  /** Connections refused while cut. */
  readonly refused: () => number
}

/** Starts a proxy to 127.0.0.1:`target`; it stops when the scope closes. */
export const makeProxy = (target: number) =>
  Effect.gen(function* () {
    const sockets = new Set<Socket>()
    let isCut = false
    let forwarded = 0
    let refused = 0
    const track = (socket: Socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
      // A reset from either side is expected (a cut, a stopping runner): never an uncaught error.
      socket.on("error", () => socket.destroy())
    }
    const server = createServer((inbound) => {
      if (isCut) {
        refused++
        inbound.destroy()
        return
      }
      forwarded++
      const outbound = createConnection({ host: "127.0.0.1", port: target })
      track(inbound)
      track(outbound)
      inbound.on("close", () => outbound.destroy())
      outbound.on("close", () => inbound.destroy())
      inbound.pipe(outbound)
      outbound.pipe(inbound)
    })
    const port = yield* Effect.acquireRelease(
      Effect.callback<number>((resume) => {
        server.listen(0, "127.0.0.1", () => {
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
        })
      }),
      () =>
        Effect.callback<void>((resume) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resume(Effect.void))
        })
    )
    const proxy: Proxy = {
      port,
      target,
      cut: Effect.sync(() => {
        isCut = true
        for (const socket of sockets) socket.destroy()
      }),
      heal: Effect.sync(() => {
        isCut = false
      }),
      forwarded: () => forwarded,
      refused: () => refused
    }
    return proxy
  })
