// Debezium's MySQL and MariaDB connectors (io.debezium.connector.mysql.MySqlConnector,
// io.debezium.connector.mariadb.MariaDbConnector): one implementation, two class names; they differ
// in source.connector and the source block's schema name, as Debezium's two connectors do.
import { defineSource, type SourcePlugin } from '../types.js';
import { mysqlCdcConfig, validateMysqlCdc } from './config.js';
import type { BinlogConnectorName } from './source-info.js';

function binlogConnector(connector: BinlogConnectorName, className: string, aliases: string[], summary: string): SourcePlugin<typeof mysqlCdcConfig.keys> {
  return defineSource({
    name: className.slice(className.lastIndexOf('.') + 1).replace(/Connector$/, ''),
    className,
    aliases,
    version: '0.1.0',
    summary,
    config: mysqlCdcConfig,
    validate: validateMysqlCdc,
    // One binlog is one ordered stream: one task, whatever tasks.max says (as Debezium).
    async taskConfigs(raw) {
      return [{ ...raw }];
    },
    startTask: (raw, ctx) => import('./task.js').then((m) => m.startBinlogTask(raw, ctx, connector)),
  });
}

export const mySqlConnector = binlogConnector('mysql', 'io.debezium.connector.mysql.MySqlConnector', ['MySqlConnector', 'MySqlCdc'],
  'Debezium\'s MySQL change data capture: a consistent snapshot, then every insert, update, delete and schema change from the binlog, in Debezium\'s change event format.');
export const mariaDbConnector = binlogConnector('mariadb', 'io.debezium.connector.mariadb.MariaDbConnector', ['MariaDbConnector', 'MariaDbCdc'],
  'Debezium\'s MariaDB change data capture: the MySQL connector\'s implementation with MariaDB\'s source block (source.connector=mariadb).');
