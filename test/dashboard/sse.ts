/** Loopback helpers for the dashboard tests: GET a path, and follow the server-sent events. */
import { type Duration, Effect, Stream } from "effect"
import type { Snapshot as Snapshots } from "../../src/dashboard/index.ts"

type Snapshot = Snapshots.Snapshot

/** GETs `url` and returns its status, content type and body. */
export const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() }
  })

/**
 * Follows `/events` until a snapshot satisfies `predicate` and returns it (the connection is
 * closed when the stream is interrupted or done). Fails after `timeout` as a guard.
 */
export const waitFor = (
  base: string,
  predicate: (snapshot: Snapshot) => boolean,
  timeout: Duration.Input = "15 seconds"
) =>
  Effect.acquireRelease(
    Effect.sync(() => new AbortController()),
    (controller) => Effect.sync(() => controller.abort())
  ).pipe(
    Effect.flatMap((controller) =>
      Effect.promise(() => fetch(new URL("/events", base), { signal: controller.signal })).pipe(
        Effect.flatMap((response) =>
          Stream.fromReadableStream({ evaluate: () => response.body!, onError: (error) => error }).pipe(
            Stream.decodeText,
            Stream.splitLines,
            Stream.filter((line) => line.startsWith("data: ")),
            Stream.map((line) => JSON.parse(line.slice(6)) as Snapshot),
            Stream.filter(predicate),
            Stream.runHead
          )
        )
      )
    ),
    Effect.flatMap((found) => (found._tag === "Some" ? Effect.succeed(found.value) : Effect.die("event stream ended"))),
    Effect.timeout(timeout),
    Effect.scoped
  )
