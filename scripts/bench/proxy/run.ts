/**
 * Runs only the proxied rows and prints one table:
 *   node scripts/bench/proxy/run.ts [--duration 5s] [--connections 50] [--runs 2]
 *                                   [--upstream http://host:port] [--path /]
 * Needs wrk, and nginx, haproxy, caddy for their rows (skipped when missing).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { hasCommand, measureProxiedRows, type ProxiedRow } from './rows.ts';

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

const find = (prefix: string) => rows.find((row) => row.target.startsWith(prefix));
const edge = find('edge proxy (');
const ratio = (ref: ProxiedRow | undefined) =>
  edge && ref && ref !== edge ? `${(edge.rps / ref.rps).toFixed(2)}×` : '';
const fmt = (ms: number) => (Number.isNaN(ms) ? '?' : ms.toFixed(2));

console.log(
  `wrk -t1 -c${values.connections} -d${values.duration}, best of ${values.runs}, path ${values.path}`,
);
console.log(
  `load average before ${loadBefore.map((n) => n.toFixed(2)).join(' ')}, after ${loadAfter
    .map((n) => n.toFixed(2))
    .join(' ')}`,
);
console.log('');
console.log(
  '| target | req/s | p50 ms | p99 ms | errors | CPU µs/req | RSS MiB | edge ÷ this (req/s) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) {
  console.log(
    `| ${row.target} | ${Math.round(row.rps)} | ${fmt(row.p50Ms)} | ${fmt(row.p99Ms)} | ${row.errors} | ${
      row.cpuUsPerRequest === undefined ? '' : Math.round(row.cpuUsPerRequest)
    } | ${row.rssMiB ?? ''} | ${ratio(row)} |`,
  );
}
const bare = find('bare');
const caddy = find('Caddy');
if (edge && bare) {
  const target = edge.rps / bare.rps >= 0.8 ? 'met' : 'MISSED';
  console.log(
    `\ntarget edge ≥ 0.8× bare pass-through: ${(edge.rps / bare.rps).toFixed(2)}× (${target})`,
  );
}
if (edge && caddy) {
  const target = edge.rps / caddy.rps >= 1.6 ? 'met' : 'MISSED';
  console.log(`target edge ≥ 1.6× Caddy: ${(edge.rps / caddy.rps).toFixed(2)}× (${target})`);
}
