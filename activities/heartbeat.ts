import { Context } from '@temporalio/activity';

/**
 * Heartbeats every few seconds while fn runs, so a long put or poll (up to flush.timeout.ms) is
 * not mistaken for a dead worker; the heartbeat timeout still catches a worker that really died.
 */
export async function withHeartbeat<T>(fn: () => Promise<T>, details?: () => unknown, everyMs = 2000): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(details?.()), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
