/**
 * A `SocketServer` over `node:tls` for runners: only connections that complete the TLS handshake
 * (with the server's options, e.g. a required client certificate) reach the handler, and closing
 * the scope closes every connection, finished handshake or not.
 *
 * Why not `NodeSocketServer.makeTls`: its finalizer destroys only the connections that finished
 * the handshake and then waits in `server.close` for all the others, so one TCP client that
 * connects and sends nothing (or a handshake still in flight when the runner stops) keeps the
 * runner's shutdown waiting until Node's handshake timeout (120 s by default). Here every TCP
 * connection is tracked from `connection` and destroyed on release, and the handshake timeout
 * defaults to 5 s.
 *
 * @since 0.2.0
 */
import type * as Net from "node:net"
import * as Tls from "node:tls"
import { NodeSocket } from "@effect/platform-node"
import { Effect, Exit, Layer, Queue, Scope } from "effect"
import { NetAddress } from "effect/net"
import type { Socket } from "effect/socket"
import { SocketServer } from "effect/socket"

/**
 * Options of `make`: `node:tls` server options, the address to listen on, and the handshake timeout (ms, default 5000).
 *
 * @since 0.1.0
 * @category models
 */
export type TlsServerOptions = Tls.TlsOptions & { readonly host: string; readonly port: number }

const openError = (cause: unknown) =>
  new SocketServer.SocketServerError({ reason: new SocketServer.SocketServerOpenError({ cause }) })

/**
 * A scoped TLS socket server listening on `options.host:options.port`. Authenticated connections
 * wait (paused) until `run` is called; closing the scope stops listening and destroys every
 * connection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: TlsServerOptions
): Effect.Effect<SocketServer.SocketServer["Service"], SocketServer.SocketServerError, Scope.Scope> =>
  Effect.gen(function* () {
    const connections = new Set<Net.Socket>()
    const waiting = new Set<Tls.TLSSocket>()
    const wait = (conn: Tls.TLSSocket) => {
      waiting.add(conn)
      conn.once("close", () => waiting.delete(conn))
    }
    let onSecure: (conn: Tls.TLSSocket) => void = wait

    const server = yield* Effect.acquireRelease(
      Effect.sync(() => Tls.createServer({ handshakeTimeout: 5000, ...options })),
      (server) =>
        Effect.callback<void>((resume) => {
          server.close(() => resume(Effect.void))
          for (const conn of waiting) conn.destroy()
          for (const conn of connections) conn.destroy()
        })
    )
    server.on("connection", (raw: Net.Socket) => {
      connections.add(raw)
      raw.once("close", () => connections.delete(raw))
    })
    server.on("tlsClientError", (_error, conn) => conn.destroy())
    server.on("secureConnection", (conn: Tls.TLSSocket) => {
      // paused so nothing is read before a handler takes the socket's reader
      conn.pause()
      onSecure(conn)
    })

    yield* Effect.callback<void, SocketServer.SocketServerError>((resume) => {
      const onError = (error: Error) => resume(Effect.fail(openError(error)))
      server.once("error", onError)
      server.listen({ host: options.host, port: options.port }, () => {
        server.off("error", onError)
        resume(Effect.void)
      })
    })
    const bound = server.address()
    if (bound === null || typeof bound === "string") {
      return yield* Effect.fail(openError(new Error(`unexpected listen address ${String(bound)}`)))
    }
    const address = yield* Effect.fromResult(NetAddress.inetAddressFromIpString(bound.address, bound.port)).pipe(
      Effect.mapError(openError)
    )

    // Node hands over connections in a callback: they go through a queue to a fiber of `run`,
    // which serves each one in a fiber of its own scope (closed, with them, when `run` ends).
    const run = <R, E, _>(handler: (socket: Socket.Socket) => Effect.Effect<_, E, R>) =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const arrivals = yield* Queue.unbounded<Tls.TLSSocket>()
        const serve = (conn: Tls.TLSSocket) => {
          conn.on("error", () => undefined)
          const socket = NodeSocket.fromDuplex(
            Effect.acquireRelease(Effect.succeed(conn), (conn) => Effect.sync(() => conn.destroySoon())),
            { tlsServer: true }
          )
          return socket.pipe(
            Effect.flatMap(handler),
            Effect.ignoreCause({ log: "Unhandled", message: "Unhandled error in TlsSocketServer" }),
            Effect.provideService(NodeSocket.NetSocket, conn)
          )
        }
        const previous = onSecure
        onSecure = (conn) => void Queue.offerUnsafe(arrivals, conn)
        for (const conn of waiting) {
          waiting.delete(conn)
          onSecure(conn)
        }
        return yield* Effect.forever(
          Effect.flatMap(Queue.take(arrivals), (conn) => Effect.forkIn(serve(conn), scope))
        ).pipe(
          Effect.ensuring(
            Effect.suspend(() => {
              onSecure = previous
              return Scope.close(scope, Exit.void)
            })
          )
        )
      })

    return SocketServer.SocketServer.of({ address, run })
  })

/**
 * `make` as a layer: the server lives as long as the layer's scope.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: TlsServerOptions
): Layer.Layer<SocketServer.SocketServer, SocketServer.SocketServerError> =>
  Layer.effect(SocketServer.SocketServer)(make(options))
