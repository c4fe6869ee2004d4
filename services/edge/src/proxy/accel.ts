/**
 * nginx's `X-Accel-Redirect`: the app decides who may read a file and
 * answers with `X-Accel-Redirect: /_protected/<path>` and no body; the edge
 * then sends that file from EDGE_PROTECTED_ROOT itself, so the app's worker
 * is free at once and the bytes never pass through it. The app's
 * `Content-Type`, `Content-Disposition` and `Cache-Control` are kept; the
 * user-file safety headers (nosniff, the sandboxing CSP) are added, and
 * ETag, Range and 304 work as for /media/.
 *
 * Only a value under {@link PROTECTED_PREFIX} is honoured, decoded once
 * and held to the same rules as a client's path (no dot segment, dotfile or
 * symlink out of the root). Anything else (no protected root configured, a
 * value outside the prefix, a path that escapes) is a 502 and one warning
 * line: the app asked for something it must not. The header never reaches
 * the client.
 */
import { realpathSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MEDIA_ERROR_HEADERS, mediaRepresentation } from '../media/representation.ts';
import { openInside } from '../static/files.ts';
import { evaluate } from '../static/preconditions.ts';
import { partialHeaders } from '../static/representation.ts';
import { pathUnder } from '../static/request-path.ts';
import { type EdgeError, sendError } from './errors.ts';

/** The prefix of the app's `X-Accel-Redirect` values; a client's request for it is 404. */
export const PROTECTED_PREFIX = '/_protected/';

export const ACCEL_REFUSED: EdgeError = {
  status: 502,
  code: 'accel_refused',
  message: 'The upstream named a file the edge does not serve',
};

const NOT_FOUND: EdgeError = { status: 404, code: 'not_found', message: 'no such file' };

export interface AccelOptions {
  /** Real path of EDGE_PROTECTED_ROOT; empty when none is configured. */
  readonly protectedRoot: string;
  readonly serverHeader: string;
  /** Told of every refused value (edge.ts logs it). */
  readonly onRefused?: ((value: string, reason: string) => void) | undefined;
}

type Fields = Record<string, string | string[] | undefined>;

/** The edge's: EDGE_PROTECTED_ROOT's real path (empty: none), refusals logged as warnings. */
export function accelOptions(
  protectedRoot: string,
  logger: { warn(fields: object, message: string): void },
): AccelOptions {
  return {
    protectedRoot: protectedRoot === '' ? '' : realpathSync(protectedRoot),
    serverHeader: '',
    onRefused: (value, reason) =>
      logger.warn({ accelRedirect: value, reason }, 'X-Accel-Redirect refused'),
  };
}

/** The exchange's end when the upstream answered with X-Accel-Redirect: the file, counted. */
export function relayAccel(
  req: IncomingMessage,
  res: ServerResponse,
  accel: { value: string; headers: Fields },
  requestId: string,
  options: AccelOptions | undefined,
  serverHeader: string,
  count: (status: number) => void,
): void {
  const resolved = options ?? { protectedRoot: '', serverHeader };
  serveAccel(req, res, accel.value, accel.headers, requestId, resolved).then(
    count,
    (error: Error) => res.destroy(error),
  );
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Answers `req` with the protected file `value` names; resolves with the status sent. */
export async function serveAccel(
  req: IncomingMessage,
  res: ServerResponse,
  value: string,
  appHeaders: Fields,
  requestId: string,
  options: AccelOptions,
): Promise<number> {
  const refuse = (error: EdgeError, reason?: string): number => {
    if (reason !== undefined) options.onRefused?.(value, reason);
    sendError(req, res, error, requestId, options.serverHeader, MEDIA_ERROR_HEADERS);
    return error.status;
  };
  if (options.protectedRoot === '') return refuse(ACCEL_REFUSED, 'no EDGE_PROTECTED_ROOT');
  if (!value.startsWith(PROTECTED_PREFIX)) {
    return refuse(ACCEL_REFUSED, `not under ${PROTECTED_PREFIX}`);
  }
  const path = pathUnder(PROTECTED_PREFIX, value);
  if (!path.ok) return refuse(ACCEL_REFUSED, path.reason);
  const opened = await openInside(options.protectedRoot, path.rel);
  if (opened === undefined) return refuse(NOT_FOUND);
  const base = mediaRepresentation(path.rel, opened.stat);
  const fromApp: Record<string, string> = {};
  for (const name of ['content-type', 'content-disposition', 'cache-control']) {
    const given = single(appHeaders[name]);
    if (given !== undefined) fromApp[name] = given;
  }
  // A protected file is one person's: no shared cache keeps it unless the app says so.
  fromApp['cache-control'] ??= 'private, no-cache';
  const rep = {
    ...base,
    headers: { ...base.headers, ...fromApp, 'x-request-id': requestId },
    notModifiedHeaders: {
      ...base.notModifiedHeaders,
      'cache-control': fromApp['cache-control'],
      'x-request-id': requestId,
    },
  };
  const outcome = evaluate(rep, req.method ?? 'GET', req.headers);
  if (outcome.status !== 200 && outcome.status !== 206) {
    await opened.handle.close();
    if (outcome.status === 304) {
      res.writeHead(304, rep.notModifiedHeaders);
      res.end();
      return 304;
    }
    const error =
      outcome.status === 412
        ? { status: 412, code: 'precondition_failed', message: 'a precondition failed' }
        : { status: 416, code: 'range_not_satisfiable', message: 'the range is outside the file' };
    return refuse(error);
  }
  const [start, end] = outcome.status === 206 ? [outcome.start, outcome.end] : [0, rep.size - 1];
  res.writeHead(
    outcome.status,
    outcome.status === 206 ? partialHeaders(rep, start, end) : rep.headers,
  );
  if (req.method === 'HEAD' || rep.size === 0) {
    await opened.handle.close();
    res.end();
    return outcome.status;
  }
  const stream = opened.handle.createReadStream({ start, end });
  stream.on('error', (error) => res.destroy(error));
  res.on('close', () => stream.destroy());
  stream.pipe(res);
  return outcome.status;
}
