import type { ActivityDeps } from '../deps.js';
import type { KindControl } from '../kind.js';
import { assignPartitions, assignmentChanged, sinkPartitions } from './assignment.js';
import { writeSinkOffsets } from './group-offsets.js';

/** The sink side of the control activities: partitions assigned by the plan, offsets in the consumer group. */
export const sinkControl = (deps: ActivityDeps): KindControl => ({
  async plan(input, plans, maxTasks) {
    return assignPartitions(plans, await sinkPartitions(deps, input.config), maxTasks, input.config);
  },
  needsReplan: (input) => assignmentChanged(deps, input.config, input.tasks),
  writeOffsets: (input) => writeSinkOffsets(deps, input),
});
