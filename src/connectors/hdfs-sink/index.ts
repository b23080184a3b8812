import { key } from '../../config/define.js';
import { defineStorageSink } from '../storage/sink.js';
import { WebHdfsStore } from '../storage/stores/webhdfs.js';
import { webHdfsLocation } from './url.js';

// Confluent's HDFS sinks (io.confluent.connect.hdfs.HdfsSinkConnector for Hadoop 2, and
// io.confluent.connect.hdfs3.Hdfs3SinkConnector for Hadoop 3): the shared storage-sink core over
// WebHDFS. Files are written to <topics.dir>/+tmp and renamed into place, so a reader never sees
// a partial file; offsets are committed only after the rename, and a restart rewrites the same
// file names, which replaces, never duplicates. Differences from Confluent's: see README
// ("HDFS sink"): no write-ahead log in logs.dir (the rename and the offset commit make it
// unnecessary), file names carry the start offset only, no Hive integration, no Kerberos.

const HDFS = 'HDFS';

const hdfsKeys = {
  'hdfs.url': key.string({ importance: 'HIGH', group: HDFS, example: 'hdfs://namenode:8020', doc: 'The HDFS to write to: hdfs://host:port (WebHDFS then on the same host\'s port 9870, Hadoop\'s default dfs.namenode.http-address), or webhdfs://host:port / swebhdfs://host:port naming the NameNode\'s HTTP(S) address. A path in the URL is the directory topics.dir is relative to. Deprecated in Confluent\'s connector in favour of store.url, which wins when both are set.' }),
  'store.url': key.string({ importance: 'HIGH', group: HDFS, example: 'webhdfs://namenode:9870', doc: 'The same as hdfs.url (which it replaces in Confluent\'s connector).' }),
  'logs.dir': key.string({ default: 'logs', group: HDFS, doc: 'Confluent\'s write-ahead-log directory. Accepted and unused: this sink needs no log (files are renamed into place before their offsets are committed, and a restart rewrites the same names).' }),
  'hadoop.conf.dir': key.string({ group: HDFS, doc: 'Accepted and ignored: this sink does not read Hadoop\'s XML configuration; give the NameNode\'s address in hdfs.url (webhdfs://host:port for a non-default HTTP port). The user is Hadoop\'s simple-auth user: HADOOP_USER_NAME, else the worker\'s OS user.' }),
  'hadoop.home': key.string({ group: HDFS, doc: 'Accepted and ignored (no Hadoop installation is used).' }),
  'hdfs.authentication.kerberos': key.boolean({ default: false, group: HDFS, doc: 'Kerberos (SPNEGO) authentication: not supported; true is refused. Only Hadoop\'s simple authentication (user.name) is.' }),
};

function hdfsSink(name: string, className: string, formatPackage: string, hadoop: string) {
  return defineStorageSink({
    name,
    className,
    aliases: [className.slice(className.lastIndexOf('.') + 1), name],
    version: '0.1.0',
    summary: `Writes topics to files in HDFS (${hadoop}) over WebHDFS (JSON lines, raw bytes, Avro), partitioned by Kafka partition, field or time, exactly once.`,
    formatPackage,
    storeKeys: hdfsKeys,
    validateStore(cfg) {
      const problems: Array<{ key: string; message: string }> = [];
      const urlKey = cfg['store.url'] ? 'store.url' : 'hdfs.url';
      const url = cfg['store.url'] ?? cfg['hdfs.url'];
      if (!url) problems.push({ key: 'hdfs.url', message: 'set hdfs.url (or store.url) to the HDFS to write to, e.g. hdfs://namenode:8020' });
      else {
        try {
          webHdfsLocation(url);
        } catch (e) {
          problems.push({ key: urlKey, message: (e as Error).message });
        }
      }
      if (cfg['hdfs.authentication.kerberos']) problems.push({ key: 'hdfs.authentication.kerberos', message: 'Kerberos is not supported by this sink (WebHDFS with simple authentication only): set it to false and run against a cluster that accepts user.name' });
      return problems;
    },
    openStore(cfg, ctx) {
      const urlKey = cfg['store.url'] ? 'store.url' : 'hdfs.url';
      const url = (cfg['store.url'] ?? cfg['hdfs.url'])!;
      const { httpUrl, root } = webHdfsLocation(url);
      if (cfg['hadoop.conf.dir'] || cfg['hadoop.home']) ctx.logger.warn({ hadoopConfDir: cfg['hadoop.conf.dir'], hadoopHome: cfg['hadoop.home'] }, 'hadoop.conf.dir and hadoop.home are ignored: the sink talks WebHDFS to the address in hdfs.url');
      const topicsDir = (cfg['topics.dir'] ?? '').trim();
      return new WebHdfsStore({
        httpUrl,
        root,
        description: url,
        urlKey,
        // Files being written live under <topics.dir>/+tmp, as in Confluent's connector.
        tempDir: topicsDir ? `${topicsDir}/+tmp` : '+tmp',
      });
    },
  });
}

export const hdfsSinkConnector = hdfsSink('HdfsSink', 'io.confluent.connect.hdfs.HdfsSinkConnector', 'io.confluent.connect.hdfs', 'Hadoop 2 and 3');
export const hdfs3SinkConnector = hdfsSink('Hdfs3Sink', 'io.confluent.connect.hdfs3.Hdfs3SinkConnector', 'io.confluent.connect.hdfs3', 'Hadoop 3');
