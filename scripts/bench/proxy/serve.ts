/**
 * Runs one Node server of the bench in its own process:
 *   node scripts/bench/proxy/serve.ts upstream <port>
 *   node scripts/bench/proxy/serve.ts bare <port> <upstream-url>
 *   node scripts/bench/proxy/serve.ts bare-h2 <port> <upstream-url> <cert.pem> <key.pem>
 */
import { startBare } from './bare.ts';
import { startBareH2 } from './bare-h2.ts';
import { startUpstream } from './upstream.ts';

const [kind, port, upstream = '', cert = '', key = ''] = process.argv.slice(2);
if (kind === 'bare-h2') {
  const server = startBareH2(Number(port), upstream, { cert, key });
  server.on('listening', () => console.log('listening'));
  // Open h2 sessions would hold close() open; the bench is done with them.
  process.on('SIGTERM', () => process.exit(0));
} else {
  const server =
    kind === 'upstream'
      ? startUpstream(Number(port))
      : kind === 'bare'
        ? startBare(Number(port), upstream)
        : null;
  if (server === null) {
    console.error(`unknown server kind: ${kind}`);
    process.exit(1);
  }
  server.on('listening', () => console.log('listening'));
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
