/**
 * Secure inter-node communication: cluster runners that authenticate each other with mutual
 * TLS (certificates from the cluster's own CA), and the checks of their credentials.
 *
 * @since 0.2.0
 */
export * as SecureRunner from "./SecureRunner.ts"
export type { SecureRunnerOptions } from "./SecureRunner.ts"
export * as TlsCredentials from "./TlsCredentials.ts"
export { TlsCredentialsError } from "./TlsCredentials.ts"
export * as TlsSocketServer from "./TlsSocketServer.ts"
export type { TlsServerOptions } from "./TlsSocketServer.ts"
