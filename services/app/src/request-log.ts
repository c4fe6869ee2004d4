/**
 * One JSON log line per completed request (method, url, status, duration,
 * request id, client address), through Fastify's LogController hooks
 * rather than a second set of hooks beside Fastify's own two lines.
 * https://fastify.dev/docs/latest/Reference/Server/#logcontroller
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

export class RequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  // Nothing when a request starts: its line is written once it is done.
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      // The peer's address, or the edge's X-Forwarded-For when the peer is
      // a trusted proxy (APP_TRUSTED_PROXIES).
      clientAddress: request.ip,
    };
    if (error) request.log.error({ ...line, err: error }, 'request failed while responding');
    else request.log.info(line, 'request completed');
  }
}
