/**
 * Everything is bounded (TigerBeetle: "put a limit on everything"). This test lists every
 * unbounded queue, pub/sub, buffer and `concurrency: "unbounded"` in `src/` and fails unless it
 * stands on the allowlist below with the reason it is safe. A stale entry (nothing left to allow)
 * fails too, so the list only shrinks. To bound one: give it a stated capacity or concurrency
 * (a constant or an option) and remove its entry.
 */
import { assert, describe, it } from "@effect/vitest"
import { isCommentLine, sourcesUnder } from "./sources.ts"

/** The unbounded constructs looked for, by kind. */
const kinds: ReadonlyArray<readonly [kind: string, pattern: RegExp]> = [
  ["Queue.unbounded", /\bQueue\.unbounded\b/],
  ["PubSub.unbounded", /\bPubSub\.unbounded\b/],
  ["concurrency unbounded", /concurrency:\s*"unbounded"/],
  ["capacity unbounded", /(capacity|bufferSize|buffer):\s*"unbounded"/],
  ["Stream.bufferUnbounded", /\bbuffer\(\s*\{\s*capacity:\s*"unbounded"/],
  ["Queue.make without capacity", /\bQueue\.make\(\s*\)/]
]

interface Allowed {
  readonly path: string
  readonly kind: string
  readonly reason: string
}

/** Today's unbounded constructs that stay, each with why. Owners shrink this list. */
const allowlist: ReadonlyArray<Allowed> = [
  {
    path: "src/supervision/Supervisor.ts",
    kind: "Queue.unbounded",
    reason:
      "the exit queue holds at most one Exited per live child (children are bounded by the " +
      "supervisor's own child count); owned by the kernel engineer, to be bounded there"
  },
  {
    path: "src/coordination/hierarchy/Hierarchy.ts",
    kind: "concurrency unbounded",
    reason: "one fiber per member of a team, whose size the hierarchy's options fix; owned by coordination"
  },
  {
    path: "src/coordination/ensemble/Ensemble.ts",
    kind: "concurrency unbounded",
    reason: "one ask per ensemble member, a fixed list given at make; owned by coordination"
  },
  {
    path: "src/cluster/ClusterRegistry.ts",
    kind: "concurrency unbounded",
    reason: "RcMap of per-key change streams, each idle entry released after maxIdleTime; owned by cluster"
  },
  {
    path: "src/cluster/secure/TlsSocketServer.ts",
    kind: "Queue.unbounded",
    reason:
      "accepted TLS sockets waiting for the server's loop; the listener's own backlog bounds " +
      "arrivals; owned by cluster"
  }
]

interface Found {
  readonly path: string
  readonly kind: string
  readonly line: number
  readonly text: string
}

const found: Array<Found> = sourcesUnder("src").flatMap(({ path, text }) =>
  text.split("\n").flatMap((line, index) =>
    isCommentLine(line)
      ? []
      : kinds
          .filter(([, pattern]) => pattern.test(line))
          .map(([kind]) => ({
            path,
            kind,
            line: index + 1,
            text: line.trim()
          }))
  )
)

const isAllowed = (item: Found): boolean =>
  allowlist.some((entry) => entry.path === item.path && entry.kind === item.kind)

describe("bounds", () => {
  it("finds the unbounded constructs it looks for (the scan works)", () => {
    assert.isAbove(found.length, 0, "the scan found nothing: its patterns or the source walk are broken")
    assert.isTrue(kinds.every(([, pattern]) => !pattern.test("Queue.bounded<Job>(64)")))
  })

  it("every unbounded queue, pub/sub or concurrency in src is bounded or allowlisted with a reason", () => {
    const unlisted = found
      .filter((item) => !isAllowed(item))
      .map((item) => `${item.path}:${item.line} ${item.kind}: ${item.text}`)
    assert.deepStrictEqual(unlisted, [], "bound these, or allowlist them in test/codebase/bounds.test.ts with a reason")
  })

  it("the allowlist has no stale entry and every entry states a reason", () => {
    const stale = allowlist.filter(
      (entry) => !found.some((item) => item.path === entry.path && item.kind === entry.kind)
    )
    assert.deepStrictEqual(
      stale.map((entry) => `${entry.path} ${entry.kind}`),
      [],
      "remove these allowlist entries"
    )
    assert.isTrue(allowlist.every((entry) => entry.reason.length >= 20))
  })
})
