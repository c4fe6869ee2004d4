/**
 * Node's ceiling for the static rows: a bare node:http server answering each
 * row's request with the status, headers and bytes the edge sent for it,
 * from memory, with no features at all (no routing, no validation, no log).
 * The answers come from a JSON file the bench writes: run.ts asks the edge
 * once per row and records what it said.
 *
 *   node scripts/bench/bare-node.ts PORT ANSWERS.json
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

interface Answer {
  url: string;
  /** The row's distinguishing request header (If-None-Match, Accept-Encoding), if any. */
  when?: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

const [port, file] = process.argv.slice(2);
const answers = (JSON.parse(readFileSync(String(file), 'utf8')) as Answer[]).map((a) => ({
  ...a,
  body: Buffer.from(a.body, 'base64'),
}));

createServer((req, res) => {
  const answer =
    answers.find((a) => a.url === req.url && a.when !== undefined && a.when in req.headers) ??
    answers.find((a) => a.url === req.url && a.when === undefined);
  if (!answer) return void res.writeHead(404).end();
  res.writeHead(answer.status, answer.headers);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}).listen(Number(port), '127.0.0.1');
