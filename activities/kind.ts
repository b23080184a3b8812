import type { PartitionOffset } from '../workflows/messages.js';

/**
 * What the control activities (activities/control.ts) ask of a connector kind. Each kind answers
 * for one plugin in its own folder (activities/source/control.ts, activities/sink/control.ts);
 * control.ts picks the kind by the plugin's type, in one place.
 */
export interface KindControl {
  /** The task configs to store, from the plugin's (a sink's each get their partitions). */
  plan(input: { name: string; config: Record<string, string> }, plans: Array<Record<string, string>>, maxTasks: number): Promise<Array<Record<string, string>>>;
  /** Whether the connector should plan its tasks again. */
  needsReplan(input: { name: string; config: Record<string, string>; tasks: Array<Record<string, string>> }): Promise<boolean>;
  /** Writes altered or reset offsets where this kind keeps them. */
  writeOffsets(input: { name: string; config: Record<string, string>; offsets: PartitionOffset[]; reset?: boolean }): Promise<void>;
}
