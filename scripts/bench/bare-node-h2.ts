/**
 * Node's ceiling for the h2 static rows: `http2.createSecureServer` with
 * the edge's TLS policy and certificate, answering each path with the
 * status, headers and bytes the edge sent for it over h2, from memory, on
 * the core stream API (no compatibility layer, routing, validation or log).
 * The answers come from a JSON file h2-rows.ts writes from the edge's own.
 *
 *   node scripts/bench/bare-node-h2.ts PORT ANSWERS.json CERT.pem KEY.pem
 */
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { TLS_POLICY } from '../../services/edge/src/tls/policy.ts';

export interface H2Answer {
  url: string;
  status: number;
  headers: Record<string, string>;
  /** base64 */
  body: string;
}

const [port, file, cert, key] = process.argv.slice(2);
const answers = new Map(
  (JSON.parse(readFileSync(String(file), 'utf8')) as H2Answer[]).map((a) => [
    a.url,
    { headers: { ...a.headers, ':status': a.status }, body: Buffer.from(a.body, 'base64') },
  ]),
);

createSecureServer({
  ...TLS_POLICY,
  cert: readFileSync(String(cert)),
  key: readFileSync(String(key)),
})
  .on('stream', (stream, headers) => {
    // h2load's last streams are reset when it stops: not a crash.
    stream.on('error', () => {});
    const answer = answers.get(String(headers[':path']));
    if (!answer) return void stream.respond({ ':status': 404 }, { endStream: true });
    stream.respond(answer.headers);
    stream.end(headers[':method'] === 'HEAD' ? undefined : answer.body);
  })
  .listen(Number(port), '127.0.0.1');
