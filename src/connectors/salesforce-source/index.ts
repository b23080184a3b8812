import { parseConfig } from '../../plugins/define.js';
import { defineSource } from '../types.js';
import { salesforceSourceConfig, validateSalesforceSource } from './config.js';
import { startSalesforceTask } from './task.js';

// SObject changes from Salesforce by REST query polling on LastModifiedDate, with Confluent's
// Salesforce key names where they exist, OAuth 2.0 client credentials or JWT bearer, and one
// offset per SObject ({object} -> {LastModifiedDate, Id}).

export const salesforceSource = defineSource({
  name: 'SalesforceQuerySource',
  className: 'temporal.connect.salesforce.SalesforceQuerySourceConnector',
  aliases: ['SalesforceQuerySource', 'SalesforceQuerySourceConnector'],
  version: '0.1.0',
  summary: 'Reads Salesforce SObjects created or changed since the last offset (REST query by LastModifiedDate, then Id), OAuth2 client credentials or JWT bearer; deletes are not captured.',
  config: salesforceSourceConfig,
  validate: validateSalesforceSource,

  async taskConfigs(raw, maxTasks) {
    const cfg = parseConfig(salesforceSourceConfig, raw);
    const objects = cfg['salesforce.object'];
    const n = Math.max(1, Math.min(maxTasks, objects.length));
    return Array.from({ length: n }, (_, i) => ({ ...raw, 'task.objects': objects.filter((_o, j) => j % n === i).join(',') }));
  },

  async startTask(taskConfig, ctx) {
    return startSalesforceTask(parseConfig(salesforceSourceConfig, taskConfig), ctx);
  },
});
