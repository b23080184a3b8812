// Where a Hadoop file-system URL's WebHDFS is. hdfs://host:port names the NameNode's RPC port,
// which speaks Hadoop's binary protocol; WebHDFS is served by the NameNode's HTTP server, whose
// port Hadoop configures separately (dfs.namenode.http-address, default 9870). Hadoop's own
// webhdfs://host:port and swebhdfs://host:port URLs name it directly.

export interface WebHdfsLocation {
  /** http(s)://host:port of the NameNode's HTTP server. */
  httpUrl: string;
  /** The URL's path: the directory topics.dir and logs.dir are relative to ("/" when none). */
  root: string;
}

/** The NameNode HTTP port Hadoop 3 uses by default (dfs.namenode.http-address / https-address). */
export const WEBHDFS_DEFAULT_PORT = 9870;
export const SWEBHDFS_DEFAULT_PORT = 9871;

/** Parses hdfs://, webhdfs:// or swebhdfs:// URLs; throws an Error saying what is wrong. */
export function webHdfsLocation(url: string): WebHdfsLocation {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${url} is not a URL: use hdfs://namenode:8020 or webhdfs://namenode:9870`);
  }
  if (!u.hostname) throw new Error(`${url} names no host: use hdfs://namenode:8020 or webhdfs://namenode:9870`);
  const root = decodeURIComponent(u.pathname || '/') || '/';
  switch (u.protocol) {
    case 'hdfs:':
      return { httpUrl: `http://${u.hostname}:${WEBHDFS_DEFAULT_PORT}`, root };
    case 'webhdfs:':
      return { httpUrl: `http://${u.hostname}:${u.port || WEBHDFS_DEFAULT_PORT}`, root };
    case 'swebhdfs:':
      return { httpUrl: `https://${u.hostname}:${u.port || SWEBHDFS_DEFAULT_PORT}`, root };
    default:
      throw new Error(`${url}: the scheme ${u.protocol.slice(0, -1)} is not a Hadoop file-system scheme this sink writes to: use hdfs://, webhdfs:// or swebhdfs://`);
  }
}
