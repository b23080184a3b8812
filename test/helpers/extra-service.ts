export { serviceEnv } from './stack.js';

/** Fails clearly when the server does not answer at `url`. */
export async function requireServer(url: string, service: string): Promise<void> {
  const ok = await fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.status < 500, () => false);
  if (!ok) throw new Error(`the ${service} server does not answer at ${url}: start it with 'bash scripts/stack.sh up ${service}'`);
}
