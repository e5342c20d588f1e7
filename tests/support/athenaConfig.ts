import type { AthenaConfig } from "../../resources/athena/AthenaQueries.js"

/** Athena settings for the test endpoint (tests/support/fakeAthena.ts), its results beside the test bucket. */
export const testAthenaConfig = (endpoint: string, bucket: string, extra: Partial<AthenaConfig> = {}): AthenaConfig => ({
  endpoint,
  region: "us-east-1",
  workgroup: "primary",
  database: "sakila",
  resultsLocation: `s3://${bucket}-results/`,
  bytesScannedCutoff: 10e9,
  pricePerTB: 5,
  queryTimeout: "1 minute",
  pollInterval: "10 millis",
  ...extra
})
