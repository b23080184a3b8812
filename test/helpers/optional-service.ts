import { stackSetting } from './stack.js';

/**
 * The addresses an optional stack server (scripts/stack/services/<service>.sh) publishes through
 * `npm run stack -- env`, from the environment when exported, else asked from the script. A key
 * that is missing, or a server that does not answer, fails the test with the command that starts
 * it: never a skip.
 */
export async function serviceEnv<K extends string>(service: string, keys: readonly K[], probe: (env: Record<K, string>) => Promise<unknown>): Promise<Record<K, string>> {
  const env = {} as Record<K, string>;
  for (const k of keys) {
    const v = stackSetting(k);
    if (!v) throw new Error(`${k} is not set: the ${service} server's service file is missing from scripts/stack/services/`);
    env[k] = v;
  }
  try {
    await probe(env);
  } catch (e) {
    throw new Error(`The ${service} server does not answer (${(e as Error).message}): start it with 'npm run stack -- up ${service}' (npm test starts every server)`, { cause: e });
  }
  return env;
}

/** fake-gcs-server (scripts/stack/services/gcs.sh): its endpoint, checked to answer. */
export function gcsServer(): Promise<{ GCS_ENDPOINT: string }> {
  return serviceEnv('gcs', ['GCS_ENDPOINT'] as const, async (e) => {
    const res = await fetch(`${e.GCS_ENDPOINT}/storage/v1/b`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  });
}

/** The MiniDFSCluster (scripts/stack/services/hdfs.sh): its hdfs:// and WebHDFS URLs and superuser, checked to answer. */
export function hdfsServer(): Promise<{ WEBHDFS_URL: string; HDFS_URL: string; HDFS_USER: string }> {
  return serviceEnv('hdfs', ['WEBHDFS_URL', 'HDFS_URL', 'HDFS_USER'] as const, async (e) => {
    const res = await fetch(`${e.WEBHDFS_URL}/webhdfs/v1/?op=GETFILESTATUS`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  });
}
