// Settings of the GCS store the connector registry needs without loading Google's client (gcs.ts).

/** Confluent's gcs.part.size default: 25 MiB. */
export const GCS_DEFAULT_PART_SIZE = 25 * 1024 * 1024;
