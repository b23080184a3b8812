// test/integration/failover-secrets.test.ts again, on the production-shaped stack (the cluster project: TC_TARGET=cluster).
import '../integration/failover-secrets.test.js';
