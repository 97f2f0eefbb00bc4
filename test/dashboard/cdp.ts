/**
 * A tiny Chrome DevTools Protocol driver for the browser test, on Node built-ins only: spawns
 * headless Chromium on 127.0.0.1 with a throwaway profile, and talks to one page over the global
 * `WebSocket`. Everything is scoped: closing the scope closes the socket and kills the browser.
 */
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { Effect, Fiber, type Scope } from "effect"

/** The Chromium executable on PATH (Debian's `chromium`), if any. */
export const findChromium = (): string | undefined => {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
      const candidate = join(dir, name)
      if (dir !== "" && existsSync(candidate)) return candidate
    }
  }
  return undefined
}

/** A page under remote control. */
export interface Page {
  /** Sends one CDP command and waits for its result. */
  readonly send: (method: string, params?: Record<string, unknown>) => Effect.Effect<Record<string, unknown>>
  /** Evaluates `expression` in the page (awaiting a returned promise) and returns its value. */
  readonly evaluate: <A>(expression: string) => Effect.Effect<A>
  /** Navigates to `url` and waits for its load event. */
  readonly goto: (url: string) => Effect.Effect<void>
}

/** Starts headless Chromium and resolves the DevTools browser endpoint it prints on stderr. */
const launch = (executable: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const profile = mkdtempSync(join(tmpdir(), "mabeam-chromium-"))
      const child = spawn(
        executable,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--no-first-run",
          "--remote-debugging-address=127.0.0.1",
          "--remote-debugging-port=0",
          `--user-data-dir=${profile}`,
          "--window-size=1280,900",
          "about:blank"
        ],
        { stdio: ["ignore", "ignore", "pipe"] }
      )
      return { child, profile }
    }),
    ({ child, profile }) =>
      Effect.promise(
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve()
            child.once("exit", () => resolve())
            child.kill("SIGKILL")
          })
      ).pipe(Effect.andThen(Effect.sync(() => rmSync(profile, { recursive: true, force: true }))))
  ).pipe(
    Effect.flatMap(({ child }) =>
      Effect.callback<string>((resume) => {
        let text = ""
        const onData = (chunk: Buffer) => {
          text += chunk.toString()
          const match = /DevTools listening on (ws:\/\/\S+)/.exec(text)
          if (match?.[1] !== undefined) {
            child.stderr?.off("data", onData)
            resume(Effect.succeed(match[1]))
          }
        }
        child.stderr?.on("data", onData)
        child.once("exit", (code) => resume(Effect.die(new Error(`chromium exited with ${code}: ${text}`))))
      })
    )
  )

/** Opens `about:blank` in a fresh headless Chromium and returns a driver for it. */
export const openPage = (executable: string): Effect.Effect<Page, never, Scope.Scope> =>
  Effect.gen(function* () {
    const browser = new URL(yield* launch(executable))
    const targets = yield* Effect.promise(() =>
      fetch(`http://${browser.host}/json/list`).then(
        (r) => r.json() as Promise<Array<{ type: string; webSocketDebuggerUrl: string }>>
      )
    )
    const target = targets.find((t) => t.type === "page")
    if (target === undefined) return yield* Effect.die(new Error("chromium has no page target"))
    const socket = yield* Effect.acquireRelease(
      Effect.callback<WebSocket>((resume) => {
        const ws = new WebSocket(target.webSocketDebuggerUrl)
        ws.onopen = () => resume(Effect.succeed(ws))
        ws.onerror = () => resume(Effect.die(new Error("cannot connect to chromium")))
      }),
      (ws) => Effect.sync(() => ws.close())
    )
    const pending = new Map<number, (message: { result?: Record<string, unknown>; error?: unknown }) => void>()
    const listeners = new Map<string, () => void>()
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number
        method?: string
        result?: Record<string, unknown>
        error?: unknown
      }
      if (message.id !== undefined) pending.get(message.id)?.(message)
      else if (message.method !== undefined) listeners.get(message.method)?.()
    }
    const once = (method: string) =>
      Effect.callback<void>((resume) => {
        listeners.set(method, () => {
          listeners.delete(method)
          resume(Effect.void)
        })
      })
    let next = 0
    const send = (method: string, params: Record<string, unknown> = {}) =>
      Effect.callback<Record<string, unknown>>((resume) => {
        const id = ++next
        pending.set(id, (message) => {
          pending.delete(id)
          resume(
            message.error === undefined
              ? Effect.succeed(message.result ?? {})
              : Effect.die(new Error(`${method}: ${JSON.stringify(message.error)}`))
          )
        })
        socket.send(JSON.stringify({ id, method, params }))
      })
    const evaluate = <A>(expression: string) =>
      send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }).pipe(
        Effect.flatMap((result) => {
          if (result["exceptionDetails"] !== undefined) {
            return Effect.die(new Error(`page threw: ${JSON.stringify(result["exceptionDetails"])}`))
          }
          return Effect.succeed((result["result"] as { value: A }).value)
        })
      )
    const goto = (url: string) =>
      Effect.gen(function* () {
        yield* send("Page.enable")
        const loaded = yield* Effect.forkChild(once("Page.loadEventFired"), { startImmediately: true })
        yield* send("Page.navigate", { url })
        yield* Fiber.join(loaded)
      })
    return { send, evaluate, goto }
  })
