/**
 * Runs one Node server of the bench in its own process:
 *   node scripts/bench/proxy/serve.ts upstream <port>
 *   node scripts/bench/proxy/serve.ts bare <port> <upstream-url>
 */
import { startBare } from './bare.ts';
import { startUpstream } from './upstream.ts';

const [kind, port, upstream = ''] = process.argv.slice(2);
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
