// temporal-connect/testing: the conformance kit every connector runs (docs/connector-guide.md).
export {
  conformanceChecks, ConformanceError, runConformance,
  type CheckResult, type ConfigPatch, type ConformanceCheck, type ConformanceOptions, type SinkConformanceOptions, type SourceConformanceOptions,
} from './conformance.js';
