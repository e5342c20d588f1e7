declare module "@20minutes/s3rver" {
  import type { AddressInfo } from "node:net"

  interface S3rverOptions {
    address?: string
    port?: number
    directory?: string
    silent?: boolean
    resetOnClose?: boolean
    allowMismatchedSignatures?: boolean
    vhostBuckets?: boolean
    configureBuckets?: ReadonlyArray<{ name: string; configs?: ReadonlyArray<string | Buffer> }>
  }

  /** The S3-protocol server used by the tests (4.x, no types shipped). */
  export default class S3rver {
    constructor(options?: S3rverOptions)
    run(): Promise<AddressInfo>
    close(): Promise<void>
    reset(): void
    /** the file store behind the server (its methods are patched by the test fixture) */
    readonly store: Record<string, unknown>
  }
}
