import { renderConnectorsReference } from './connectors/reference.js';
import { renderTransformsReference } from './transforms/reference.js';
import { renderWorkerPropertiesReference } from './worker/properties-reference.js';

/** The references generated from declarations, by path in the repository; `npm run docs` writes them. */
export const GENERATED_DOCS: Readonly<Record<string, () => string>> = {
  'docs/transforms.md': renderTransformsReference,
  'docs/connectors.md': () => renderConnectorsReference(),
  'docs/worker-properties.md': () => renderWorkerPropertiesReference(),
};
