import { existsSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted, Scope } from "effect"
import { TlsCredentials } from "../../src/cluster/secure/index.ts"
import { makeTestCa } from "./secure-certs.ts"

describe("runner TLS credentials", () => {
  it.live(
    "accepts a certificate from the CA naming the host; rejects each misconfiguration with its reason",
    () =>
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const ca = yield* Scope.provide(makeTestCa("mabeam test CA"), scope)
        const other = yield* Scope.provide(makeTestCa("other CA"), scope)
        const good = ca.issue("runner-a")
        const stranger = other.issue("runner-x")
        yield* TlsCredentials.verify(good, { host: "127.0.0.1" })

        const reason = (
          credentials: TlsCredentials.TlsCredentials,
          options?: Parameters<typeof TlsCredentials.verify>[1]
        ) => Effect.flip(TlsCredentials.verify(credentials, options)).pipe(Effect.map((e) => e.reason))
        assert.strictEqual(yield* reason({ ...good, cert: stranger.cert }), "key-mismatch")
        assert.strictEqual(yield* reason({ ...stranger, ca: ca.cert }), "not-issued-by-ca")
        assert.strictEqual(yield* reason(good, { host: "127.0.0.2" }), "wrong-host")
        assert.strictEqual(yield* reason(good, { host: "runner-a.example" }), "wrong-host")
        assert.strictEqual(yield* reason(good, { now: Date.now() + 3 * 86_400_000 }), "expired")
        assert.strictEqual(yield* reason({ ...good, key: Redacted.make("not a key") }), "unreadable")

        // The temporary directory with the CA keys is gone once the scope closes.
        assert.isTrue(existsSync(ca.dir))
        yield* Scope.close(scope, Exit.void)
        assert.isFalse(existsSync(ca.dir))
        assert.isFalse(existsSync(other.dir))
      }),
    { timeout: 20_000 }
  )
})
