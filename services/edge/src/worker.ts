/**
 * One worker: build the edge, listen on the shared port, and on SIGTERM
 * (or SIGINT) shut down as nginx does: `/_edge/healthz` says 503 at once,
 * serving goes on for EDGE_DRAIN_MS, then no new connections, in-flight
 * requests finish, idle keep-alive connections close, exit 0. Requests still
 * running after EDGE_SHUTDOWN_GRACE_MS are cut and the exit code is 1.
 * Proxied requests in flight count as in-flight requests; open WebSocket
 * tunnels are closed when the drain ends; the proxy's upstream connections
 * close last (buildEdge's onClose).
 */
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createLogger, flushLogger } from './access-log.ts';
import { workerCachePeers } from './cache/peers.ts';
import type { Config } from './config.ts';
import { buildEdge } from './edge.ts';
import { workerStats } from './stats-relay.ts';
import type { TlsListener } from './tls/listener.ts';
import {
  type AcmeChallengeAckMessage,
  type AcmeChallengeMessage,
  isTlsMessage,
  type TlsMaterialMessage,
  type TlsRequestMessage,
  type TlsStatusMessage,
} from './tls/messages.ts';

// Often enough that a connection finishing its last response is closed
// promptly, rarely enough to cost nothing.
const IDLE_SWEEP_MS = 100;

export async function runWorker(config: Readonly<Config>): Promise<void> {
  const logger = createLogger(config.logLevel);
  const edge = buildEdge(config, {
    logger,
    gatherStats: workerStats,
    cachePeers: workerCachePeers(),
  });
  try {
    await edge.listen({ host: config.host, port: config.port });
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start');
    await flushLogger(logger);
    process.exit(1);
  }
  const tls = edge.tls;
  if (tls !== null) {
    try {
      // Material first (the primary's, over IPC): a handshake before it would fail.
      receiveTlsMaterial(tls, logger);
      await tls.ready;
      await listenTls(tls, config.host, config.tlsPort);
    } catch (error) {
      logger.fatal({ err: error }, 'cannot start the TLS listener');
      await flushLogger(logger);
      process.exit(1);
    }
  }
  const { port } = edge.server.address() as AddressInfo;
  logger.info(
    { host: config.host, port, ...(tls !== null && { tlsPort: config.tlsPort }) },
    'edge listening',
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    edge.lifecycle.draining = true;
    logger.info({ signal, drainMs: config.drainMs }, 'draining');
    await sleep(config.drainMs);
    edge.lifecycle.closing = true;
    // WebSocket clients reconnect (to another edge, or to this one's
    // successor); left open, a tunnel would hold the worker to the grace's end.
    const tunnels = edge.proxy.closeTunnels();
    if (tunnels > 0) logger.info({ tunnels }, 'closed the open WebSocket tunnels');
    let cut = false;
    // server.close() closes the connections idle at that moment; these
    // sweeps close each one that goes idle after its in-flight response.
    const sweep = setInterval(() => {
      edge.server.closeIdleConnections();
      edge.tls?.closeIdleConnections();
    }, IDLE_SWEEP_MS);
    const grace = setTimeout(() => {
      cut = true;
      logger.warn(
        { graceMs: config.shutdownGraceMs },
        'grace period over; cutting requests in flight',
      );
      edge.server.closeAllConnections();
      edge.tls?.closeAllConnections();
    }, config.shutdownGraceMs);
    await edge.close();
    clearInterval(sweep);
    clearTimeout(grace);
    logger.info({ cut }, 'stopped');
    await flushLogger(logger);
    process.exit(cut ? 1 : 0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Applies every certificate set the primary sends (tls/messages.ts), the
 * first in answer to this worker's request, later ones on every reload or
 * ticket-key rotation.
 */
function receiveTlsMaterial(tls: TlsListener, logger: Logger): void {
  process.on('message', (message: unknown) => {
    if (isTlsMessage<TlsStatusMessage>(message, 'edge:tls-status')) {
      tls.counters.certificates = message.status;
      return;
    }
    if (isTlsMessage<AcmeChallengeMessage>(message, 'edge:acme-challenge')) {
      const { token, keyAuthorization, alpn } = message;
      if (alpn !== undefined) tls.alpnChallenge(alpn.name, keyAuthorization === null ? null : alpn);
      else if (keyAuthorization === null) tls.challenges.delete(token);
      else tls.challenges.set(token, keyAuthorization);
      const ack: AcmeChallengeAckMessage = { type: 'edge:acme-challenge-ack', token };
      process.send?.(ack);
      return;
    }
    if (!isTlsMessage<TlsMaterialMessage>(message, 'edge:tls')) return;
    try {
      tls.apply(message);
    } catch (error) {
      // The primary validated the pair; a worker refusing it keeps the previous one.
      logger.error({ err: error }, 'TLS material refused; serving the previous one');
    }
  });
  const ask: TlsRequestMessage = { type: 'edge:tls-request' };
  process.send?.(ask);
}

function listenTls(tls: TlsListener, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    tls.server.once('error', reject);
    tls.server.listen(port, host, () => {
      tls.server.off('error', reject);
      resolve();
    });
  });
}
