/**
 * Runs only the proxied rows and prints one table:
 *   node scripts/bench/proxy/run.ts [--duration 5s] [--connections 50] [--runs 2]
 *                                   [--upstream http://host:port] [--path /]
 * Needs wrk, and nginx, haproxy, caddy for their rows (skipped when missing).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { hasCommand } from '../processes.ts';
import { measureProxiedRows } from './rows.ts';
import { proxiedTable } from './table.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5s' },
    connections: { type: 'string', default: '50' },
    runs: { type: 'string', default: '2' },
    upstream: { type: 'string' },
    path: { type: 'string', default: '/' },
  },
});

if (!hasCommand('wrk')) {
  console.error('wrk is not installed (Debian: apt-get install wrk)');
  process.exit(1);
}

const loadBefore = loadavg();
const rows = await measureProxiedRows({
  upstreamUrl: values.upstream,
  path: values.path,
  duration: values.duration,
  connections: Number(values.connections),
  runs: Number(values.runs),
  progress: (line) => console.error(`· ${line}`),
});
const loadAfter = loadavg();

console.log(
  `wrk -t1 -c${values.connections} -d${values.duration}, best of ${values.runs}, path ${values.path}`,
);
console.log(
  `load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')}, after ${loadAfter
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
console.log('');
console.log(proxiedTable(rows).join('\n'));
