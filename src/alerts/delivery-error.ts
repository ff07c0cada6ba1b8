// The one error type a transport throws, so the sender decides retry, wait or give up by code,
// not by parsing messages from the Slack client.

export type DeliveryErrorCode =
  /** Slack said 429: wait `retryAfterMs`, then try again; nothing was posted. */
  | 'rate_limited'
  /** Worth retrying with backoff (5xx, network, timeout, Slack internal error). */
  | 'transient'
  /** Retrying will not help (unknown channel, bad token, invalid blocks). */
  | 'permanent';

export class DeliveryError extends Error {
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    /** The request may have reached Slack and been posted: look before posting again. */
    readonly uncertain: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}
