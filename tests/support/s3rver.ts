import { mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import S3rver from "@20minutes/s3rver"
import { S3Client } from "@aws-sdk/client-s3"
import { tempDir } from "./testProject.js"

export interface S3Fixture {
  readonly endpoint: string
  readonly bucket: string
  readonly client: S3Client
  readonly close: () => Promise<void>
}

/** Credentials the S3-protocol servers accept (they check no signature); set so the SDK's chain finds them. */
export const testCredentials = () => {
  process.env["AWS_ACCESS_KEY_ID"] ??= "S3RVER"
  process.env["AWS_SECRET_ACCESS_KEY"] ??= "S3RVER"
  process.env["AWS_REGION"] ??= "us-east-1"
}

/**
 * s3rver's file store is not safe under concurrent requests. Deleting an object prunes the folders it leaves empty
 * with a recursive `rm` some time after it saw them empty: an object written meanwhile into such a folder (the
 * staging of a sibling partition, say) vanishes with it, and a listing that walks a folder being pruned fails.
 * S3 has no folders, so nothing like it can happen there; here the store's tree operations run one at a time.
 */
const serializeTreeOperations = (store: Record<string, unknown>) => {
  let tail: Promise<unknown> = Promise.resolve()
  // a multipart upload completes through `putObject`; its parts live outside the bucket's tree
  for (const name of ["putObject", "copyObject", "deleteObject", "listObjects"]) {
    const original = (store[name] as (...args: Array<unknown>) => Promise<unknown>).bind(store)
    store[name] = (...args: Array<unknown>) => {
      const run = tail.then(() => original(...args))
      tail = run.catch(() => undefined)
      return run
    }
  }
}

/** An S3 server on a loopback port with one bucket, in its own temp folder. */
export const startS3 = async (bucket = "sakila-lake"): Promise<S3Fixture> => {
  testCredentials()
  const dir = tempDir("assets-s3rver-")
  mkdirSync(join(dir, "data"), { recursive: true })
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    directory: join(dir, "data"),
    silent: true,
    allowMismatchedSignatures: true,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }, { name: `${bucket}-results` }]
  })
  serializeTreeOperations(server.store)
  const address = await server.run()
  const endpoint = `http://127.0.0.1:${address.port}`
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED"
  })
  return {
    endpoint,
    bucket,
    client,
    close: async () => {
      client.destroy()
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
