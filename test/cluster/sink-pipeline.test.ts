// test/integration/sink-pipeline.test.ts again, on the production-shaped stack (the cluster project: TC_TARGET=cluster).
import '../integration/sink-pipeline.test.js';
