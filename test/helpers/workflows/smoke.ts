import { proxyActivities } from '@temporalio/workflow';

interface SmokeActivities {
  shout(s: string): Promise<string>;
}

const { shout } = proxyActivities<SmokeActivities>({ startToCloseTimeout: '10 seconds' });

/** A workflow that calls one activity: proves the dev server and a real worker round-trip. */
export async function smokeWorkflow(name: string): Promise<string> {
  return `hello ${await shout(name)}`;
}
