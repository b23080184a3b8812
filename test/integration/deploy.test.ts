// The deployment files in deploy/ (and the root docker-compose.yml), checked with real tools the
// stack installs (`npm run stack -- deploy-tools`): helm lints and renders the chart,
// kubernetes-validate checks every rendered object against the Kubernetes API schemas, and
// check-jsonschema checks the Compose files against the Compose specification. The rendered
// worker.properties is read back with the worker's own parser.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerProperties } from '../../src/worker/options.js';
import { shutdownGraceMs } from '../../src/worker/index.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHART = path.join(ROOT, 'deploy/helm/temporal-connect');
const KUBERNETES_VERSION = '1.31.0';

function tool(name: string): string {
  const dir = process.env.DEPLOY_TOOLS_BIN;
  const file = dir ? path.join(dir, name) : '';
  if (!dir || !existsSync(file)) {
    throw new Error(`${name} is not installed: run \`npm run stack -- deploy-tools\` and export the stack's env (DEPLOY_TOOLS_BIN=${dir ?? 'unset'})`);
  }
  return file;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered Kubernetes objects, checked field by field
interface K8sObject { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> }

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'tc-deploy-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** helm template with extra values; the objects as JSON (PyYAML from kubernetes-validate's venv reads the YAML). */
async function render(values: Record<string, unknown> = {}): Promise<{ yamlFile: string; objects: K8sObject[] }> {
  const valuesFile = path.join(work, `values-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(valuesFile, JSON.stringify(values));
  const { stdout } = await run(tool('helm'), ['template', 'tc', CHART, '--namespace', 'data', '-f', valuesFile], { maxBuffer: 16 << 20 });
  const yamlFile = valuesFile.replace(/\.json$/, '.yaml');
  await writeFile(yamlFile, stdout);
  const python = path.join(path.dirname(path.dirname(await realTool('kubernetes-validate'))), 'bin', 'python');
  const { stdout: json } = await run(python, ['-c', 'import json,sys,yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))', yamlFile]);
  return { yamlFile, objects: JSON.parse(json) as K8sObject[] };
}

async function realTool(name: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  return realpath(tool(name));
}

/** kubernetes-validate --strict passes every rendered object (one 'passed' line each), and fails on a broken one. */
async function validates(yamlFile: string, objects: K8sObject[]): Promise<void> {
  const { stdout } = await run(tool('kubernetes-validate'), ['--strict', '-k', KUBERNETES_VERSION, yamlFile]);
  for (const o of objects) expect(stdout, stdout).toContain(`passed for resource ${o.kind.toLowerCase()}/${o.metadata.name} against version`);
  expect(stdout).not.toMatch(/failed|ERROR/);
}

const byKind = (objects: K8sObject[], kind: string) => {
  const o = objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind} rendered; kinds: ${objects.map((x) => x.kind).join(', ')}`);
  return o;
};

describe('Helm chart deploy/helm/temporal-connect', () => {
  it('passes helm lint --strict with the default values and with every option on', async () => {
    const { stdout } = await run(tool('helm'), ['lint', '--strict', CHART]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    const full = path.join(work, 'full.json');
    await writeFile(full, JSON.stringify({ temporal: { tls: { enabled: true, secretName: 'temporal-mtls' }, apiKeySecretName: 'temporal-cloud' }, connectorSecretsName: 'db-creds', secretsKeySecretName: 'tc-key', rest: { authTokenSecretName: 'rest-token' } }));
    const lint = await run(tool('helm'), ['lint', '--strict', CHART, '-f', full]);
    expect(lint.stdout).toMatch(/0 chart\(s\) failed/);
  }, 120_000);

  it('renders objects valid against the Kubernetes API schemas: non-root workers, probes on /health, Prometheus annotations, graceful stop', async () => {
    const { yamlFile, objects } = await render();
    await validates(yamlFile, objects);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service', 'ServiceAccount']);

    const deployment = byKind(objects, 'Deployment');
    const pod = deployment.spec.template;
    const worker = pod.spec.containers[0];
    expect(deployment.spec.replicas).toBe(3);
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(worker.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(worker.readinessProbe.httpGet).toEqual({ path: '/health', port: 'rest' });
    expect(worker.livenessProbe.httpGet).toEqual({ path: '/health', port: 'rest' });
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8083', 'prometheus.io/path': '/metrics' });
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });

    // The worker reads the ConfigMap with its own parser: REST on, the grace shorter than Kubernetes' wait.
    const props = workerProperties(byKind(objects, 'ConfigMap').data!['worker.properties'], {})!;
    expect(props).toMatchObject({ listeners: 'http://0.0.0.0:8083', 'temporal.address': 'temporal-frontend:7233', 'temporal.task.queue': 'connect', 'bootstrap.servers': 'kafka:9092' });
    expect(props['config.providers']).toBeUndefined();
    expect(shutdownGraceMs(props)).toBeLessThan(pod.spec.terminationGracePeriodSeconds * 1000);
    expect(worker.args).toEqual(['node', 'bin/tconnect.mjs', 'worker', '--worker-config', '/etc/tconnect/config/worker.properties']);
  }, 120_000);

  it('wires secrets through files and config providers, never into the ConfigMap: mTLS, API key, connector secrets confined by allowed.paths', async () => {
    const { yamlFile, objects } = await render({
      temporal: { tls: { enabled: true, secretName: 'temporal-mtls', serverName: 'ns.tmprl.cloud' }, apiKeySecretName: 'temporal-cloud' },
      connectorSecretsName: 'db-creds', secretsKeySecretName: 'tc-key', rest: { authTokenSecretName: 'rest-token' },
    });
    await validates(yamlFile, objects);
    const props = workerProperties(byKind(objects, 'ConfigMap').data!['worker.properties'], {})!;
    expect(props).toMatchObject({
      'temporal.tls': 'true', 'temporal.tls.cert.file': '/etc/tconnect/temporal-tls/tls.crt', 'temporal.tls.server.name': 'ns.tmprl.cloud',
      'config.providers': 'dir', 'config.providers.dir.param.allowed.paths': '/etc/tconnect/secrets',
      'rest.auth.token.file': '/etc/tconnect/rest-auth/token',
    });
    const pod = byKind(objects, 'Deployment').spec.template.spec;
    const worker = pod.containers[0];
    expect(worker.env).toEqual(expect.arrayContaining([
      { name: 'TEMPORAL_API_KEY', valueFrom: { secretKeyRef: { name: 'temporal-cloud', key: 'api-key' } } },
      { name: 'TCONNECT_SECRETS_KEY_FILE', value: '/etc/tconnect/secrets-key/secrets.key' },
    ]));
    for (const m of worker.volumeMounts.filter((v: { name: string }) => v.name !== 'tmp')) expect(m.readOnly, m.name).toBe(true);
    expect(pod.volumes.map((v: { secret?: { secretName: string } }) => v.secret?.secretName).filter(Boolean).sort()).toEqual(['db-creds', 'rest-token', 'tc-key', 'temporal-mtls']);
  }, 120_000);

  it('the schema check fails a broken object (so the passes above mean something)', async () => {
    const { yamlFile } = await render();
    const { readFile } = await import('node:fs/promises');
    const broken = path.join(work, 'broken.yaml');
    await writeFile(broken, (await readFile(yamlFile, 'utf8')).replace(/replicas: 3/, 'replicas: three').replace(/containerPort: 8083/, 'containerPort: 8083\n              hostNetworking: true'));
    const err = await run(tool('kubernetes-validate'), ['--strict', '-k', KUBERNETES_VERSION, broken]).then(() => undefined, (e: { stdout?: string; stderr?: string }) => e);
    expect(`${err?.stdout ?? ''}${err?.stderr ?? ''}`).toMatch(/deployment\/tc-temporal-connect/i);
    expect(`${err?.stdout ?? ''}${err?.stderr ?? ''}`).toMatch(/three|hostNetworking/);
  }, 60_000);

  it('refuses mTLS without the Secret that holds the certificates, naming the value to set', async () => {
    const err = await render({ temporal: { tls: { enabled: true } } }).then(() => undefined, (e: Error & { stderr?: string }) => e);
    expect(err?.stderr ?? String(err)).toContain('temporal.tls.secretName is required when temporal.tls.enabled');
  }, 60_000);
});

describe('Compose files', () => {
  it('follow the Compose specification (docker-compose.yml and the Temporal-on-PostgreSQL variant)', async () => {
    for (const file of ['docker-compose.yml', 'deploy/compose/docker-compose.postgres.yml']) {
      const { stdout } = await run(tool('check-jsonschema'), ['--builtin-schema', 'vendor.compose-spec', path.join(ROOT, file)]);
      expect(stdout, file).toContain('ok -- validation done');
    }
    const bad = path.join(work, 'bad-compose.yml');
    await writeFile(bad, 'services:\n  worker:\n    image: x\n    replicas: two\n');
    const err = await run(tool('check-jsonschema'), ['--builtin-schema', 'vendor.compose-spec', bad]).then(() => undefined, (e: { stdout?: string }) => e);
    expect(err?.stdout ?? '').toMatch(/validation errors|Additional properties/);
  }, 60_000);
});
