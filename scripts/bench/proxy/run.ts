/**
 * Runs only the proxied rows and prints one table:
 *   node scripts/bench/proxy/run.ts [--duration 5s] [--connections 50] [--runs 3] [--quick]
 *                                   [--upstream http://host:port] [--path /]
 * Needs wrk, and nginx, haproxy, caddy for their rows (skipped when missing).
 * Fewer than 3 rounds only with --quick, which judges nothing.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadLine, roundsLine } from '../markdown.ts';
import { hasCommand } from '../processes.ts';
import { checkRuns } from '../rounds.ts';
import { measureProxiedRows } from './rows.ts';
import { proxiedTable } from './table.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5s' },
    connections: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    upstream: { type: 'string' },
    path: { type: 'string', default: '/' },
  },
});

const runs = checkRuns(values.runs, values.quick);
if (runs instanceof Error) {
  console.error(runs.message);
  process.exit(2);
}
if (!hasCommand('wrk')) {
  console.error('wrk is not installed (Debian: apt-get install wrk)');
  process.exit(1);
}

const loadStart = loadavg();
const rows = await measureProxiedRows({
  upstreamUrl: values.upstream,
  path: values.path,
  duration: values.duration,
  connections: Number(values.connections),
  runs,
  progress: (line) => console.error(`· ${line}`),
});

const settings = { runs, quick: values.quick };
console.log(
  `wrk -t1 -c${values.connections} -d${values.duration} ${values.path}, ${roundsLine(settings)}; ${loadLine(loadStart, loadavg())}`,
);
console.log('');
// The targets are set on the bench's own small upstream, not on one given here.
const judged = values.upstream === undefined;
console.log(proxiedTable(rows, { judged, quick: values.quick }).join('\n'));
