/**
 * GETs over one HTTP/2 session, trusting only `ca`: what a browser that
 * trusts the edge's local CA would see (status and body of each path, and
 * the protocol ALPN chose).
 */
import { connect } from 'node:http2';

export interface H2Answer {
  status: number;
  body: string;
}

export function h2Get(
  origin: string,
  paths: string[],
  ca: string,
): Promise<{ alpn: string; answers: H2Answer[] }> {
  const session = connect(origin, { ca });
  const get = (path: string) =>
    new Promise<H2Answer>((resolve, reject) => {
      const stream = session.request({ ':path': path, accept: 'text/html' });
      let status = 0;
      let body = '';
      stream.on('response', (headers) => {
        status = Number(headers[':status']);
      });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        body += chunk;
      });
      stream.on('end', () => resolve({ status, body }));
      stream.on('error', reject);
    });
  return new Promise((resolve, reject) => {
    session.once('error', reject);
    session.once('connect', () => {
      Promise.all(paths.map(get))
        .then((answers) => resolve({ alpn: session.alpnProtocol ?? '', answers }))
        .catch(reject)
        .finally(() => session.close());
    });
  });
}
