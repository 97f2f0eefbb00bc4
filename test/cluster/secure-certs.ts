/**
 * A throwaway PKI for the secure cluster tests: a CA and certificates it issues, made at test
 * time with the `openssl` command line (node:crypto makes keys but not X.509 certificates) in a
 * temporary directory that is removed when the scope closes. Keys are EC P-256; certificates
 * are valid for one day.
 */
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Redacted } from "effect"
import type { TlsCredentials } from "../../src/cluster/secure/TlsCredentials.ts"

/** A test CA: its certificate, and `issue` for leaf certificates signed by it. */
export interface TestCa {
  readonly name: string
  /** The CA certificate (PEM). */
  readonly cert: string
  /** A certificate and key for `name`, naming `ip` (default 127.0.0.1), usable as TLS server and client. */
  readonly issue: (name: string, options?: { readonly ip?: string }) => TlsCredentials
  /** Revokes the certificate issued to `name`; returns the CA's new revocation list (PEM). */
  readonly revoke: (name: string) => string
}

const openssl = (cwd: string, args: ReadonlyArray<string>) =>
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 })

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

const safe = (name: string) => name.replace(/[^a-zA-Z0-9-]/g, "_")

/** Makes a CA named `name` in a temporary directory, deleted (with every key in it) when the scope closes. */
export const makeTestCa = (name: string) =>
  Effect.gen(function* () {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => mkdtempSync(join(tmpdir(), "mabeam-pki-"))),
      (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
    )
    openssl(dir, [
      "req",
      "-x509",
      ...EC,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign"
    ])
    const cert = readFileSync(join(dir, "ca.crt"), "utf8")
    const issue = (leaf: string, options: { readonly ip?: string } = {}): TlsCredentials => {
      const file = safe(leaf)
      writeFileSync(
        join(dir, `${file}.ext`),
        [
          "basicConstraints=CA:FALSE",
          "keyUsage=critical,digitalSignature",
          "extendedKeyUsage=serverAuth,clientAuth",
          `subjectAltName=IP:${options.ip ?? "127.0.0.1"}`
        ].join("\n")
      )
      openssl(dir, ["req", ...EC, "-keyout", `${file}.key`, "-out", `${file}.csr`, "-subj", `/CN=${leaf}`])
      openssl(dir, [
        "x509",
        "-req",
        "-in",
        `${file}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${file}.crt`,
        "-days",
        "1",
        "-extfile",
        `${file}.ext`
      ])
      return {
        ca: cert,
        cert: readFileSync(join(dir, `${file}.crt`), "utf8"),
        key: Redacted.make(readFileSync(join(dir, `${file}.key`), "utf8"))
      }
    }
    writeFileSync(join(dir, "index.txt"), "")
    writeFileSync(join(dir, "crlnumber"), "01\n")
    writeFileSync(
      join(dir, "ca.cnf"),
      [
        "[ ca ]",
        "default_ca = test",
        "[ test ]",
        "database = index.txt",
        "crlnumber = crlnumber",
        "default_md = sha256",
        "default_crl_days = 1"
      ].join("\n")
    )
    const ca = ["-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.crt"]
    const revoke = (leaf: string): string => {
      openssl(dir, ["ca", ...ca, "-revoke", `${safe(leaf)}.crt`])
      openssl(dir, ["ca", ...ca, "-gencrl", "-out", "ca.crl"])
      return readFileSync(join(dir, "ca.crl"), "utf8")
    }
    return { name, cert, issue, revoke, dir } satisfies TestCa & { readonly dir: string }
  })
