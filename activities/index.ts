import type { ActivityDeps } from './deps.js';
import { controlActivities } from './control.js';
import { sourceActivities } from './source/task.js';
import { sinkActivities } from './sink/task.js';

export type { ActivityDeps } from './deps.js';

/** Every activity of a worker, from one factory; workflows type their proxies from it. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...controlActivities(deps),
    ...sourceActivities(deps),
    ...sinkActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
