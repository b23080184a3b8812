// The one seam between the storage-sink core (partitioners, formats, file naming, commits) and a
// store: S3 (and S3-compatible servers), Google Cloud Storage, HDFS over WebHDFS. The core never
// talks to a store's SDK; each store implements this interface in src/connectors/storage/stores/.

/** One object as a listing returns it. */
export interface StoredObject {
  /** The full key (path) of the object, without a leading '/'. */
  key: string;
  /** Size in bytes. */
  size: number;
}

export interface PutOptions {
  /** MIME type recorded with the object where the store keeps one. */
  contentType?: string;
  /** Content-Encoding recorded with the object (e.g. gzip) where the store keeps one. */
  contentEncoding?: string;
  /** Cancels the write; a cancelled write leaves no visible object. */
  signal?: AbortSignal;
}

export interface ObjectStore {
  /** What the store is, for logs and errors: "s3://bucket", "gs://bucket", "hdfs://host:port". */
  readonly description: string;
  /**
   * Writes a whole object. Readers see the complete object or none: a store without atomic
   * uploads (HDFS) writes a temporary file and renames it. Writing the same key again replaces the
   * object with the new content (the core relies on this to rewrite a file after a restart).
   * Large bodies go up in parts where the store supports it (S3 multipart, s3.part.size).
   */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /** The object's bytes, or undefined when there is no such key. */
  get(key: string, signal?: AbortSignal): Promise<Uint8Array | undefined>;
  /** Every object whose key starts with prefix, in key order. */
  list(prefix: string, signal?: AbortSignal): AsyncIterable<StoredObject>;
  /** Removes an object; no error when it does not exist. */
  delete(key: string): Promise<void>;
  /**
   * Checks the store is reachable and the bucket/directory exists and is writable; throws an
   * error naming the store, the config key to fix and the server's answer. Called at task start.
   */
  check(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
