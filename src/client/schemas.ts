// zod schemas for what enters through the SDK and the CLI: connector specs and offsets bodies.
import { z } from 'zod';

/** A connector config as users POST it: string values, or JSON numbers/booleans (null removes a key). */
export const rawConfigSchema = z.record(z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** The body of POST /connectors. */
export const connectorSpecSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty'),
  config: rawConfigSchema,
  initial_state: z.enum(['RUNNING', 'PAUSED', 'STOPPED']).optional(),
});

/** The body of PATCH /connectors/<name>/offsets (`offset: null` removes a partition's offset). */
export const connectorOffsetsSchema = z.object({
  offsets: z.array(z.object({
    partition: z.record(z.unknown()),
    offset: z.record(z.unknown()).nullable(),
  })),
});
