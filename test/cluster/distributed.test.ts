// test/integration/distributed.test.ts again, on the production-shaped stack (the cluster project: TC_TARGET=cluster).
import '../integration/distributed.test.js';
