// The workflow bundle's entry: every workflow type the worker registers.
export { connectorWorkflow } from './connector.js';
export { sourceTaskWorkflow, sinkTaskWorkflow } from './task.js';
