import { ConnectError } from '../errors.js';

/** No running connector of that name (never created, deleted, or its workflow closed). */
export class ConnectorNotFoundError extends ConnectError {
  override name = 'ConnectorNotFoundError';
  readonly connector: string;
  constructor(connector: string, workflowStatus?: string) {
    super(
      workflowStatus
        ? `Connector ${connector} not found (its workflow is ${workflowStatus})`
        : `Connector ${connector} not found`,
    );
    this.connector = connector;
  }
}

/** create() of a name whose connector is running. */
export class ConnectorExistsError extends ConnectError {
  override name = 'ConnectorExistsError';
  readonly connector: string;
  constructor(connector: string) {
    super(`Connector ${connector} already exists`);
    this.connector = connector;
  }
}

/**
 * The connector refused a request in its current state, e.g. altering offsets while it is not
 * STOPPED (Kafka Connect's BadRequestException, HTTP 400).
 */
export class BadRequestError extends ConnectError {
  override name = 'BadRequestError';
  /** The workflow's failure type (e.g. Conflict, BadRequest), for callers that map it to HTTP. */
  readonly type?: string;
  constructor(message: string, options?: { cause?: unknown; type?: string }) {
    super(message, options);
    this.type = options?.type;
  }
}
