// test/integration/source-pipeline.test.ts again, on the production-shaped stack (the cluster project: TC_TARGET=cluster).
import '../integration/source-pipeline.test.js';
