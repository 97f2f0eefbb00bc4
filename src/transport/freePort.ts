/**
 * A free TCP port on 127.0.0.1, picked by the OS, for loopback demos, tests and benchmarks that
 * start servers (runners, RPC transports) on ports they must know in advance.
 *
 * @since 0.2.0
 */
import { createServer } from "node:net"
import { Effect } from "effect"

/**
 * Listens on port 0 of 127.0.0.1, reads the port the OS gave, closes, and returns it. Another
 * process could take the port in between; on loopback in a test that does not happen in practice.
 *
 * @example
 * ```ts
 * const port = yield* freePort
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const freePort: Effect.Effect<number> = Effect.callback<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})
