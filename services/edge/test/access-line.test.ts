/**
 * The access line is written by hand for speed (src/access-log.ts); it
 * must be the bytes pino writes for the same fields, whatever the request
 * carried: odd paths, quotes, control bytes, latin1, TLS and upstream
 * fields, a child logger's bindings, numbers pino writes as null, and the
 * level switched off.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { accessLogTo } from '../src/access-log.ts';

/** A logger writing into an array; `time` set aside, since the two lines are built a moment apart. */
function capture(level = 'info') {
  const lines: string[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(line) });
  return { logger, lines, last: () => (lines.at(-1) ?? '').replace(/"time":\d+/, '"time":0') };
}

const PATHS = [
  '/',
  '/static/app.0a1b2c3d.css?v=1',
  '/a"b\\c',
  '/tab\there/nl\nthere',
  '/\u0000\u001f\u007f',
  '/caf\u00e9/\u00ff',
  `/${'long-'.repeat(40)}"quoted"`,
];

test('every line is the bytes pino writes for the same fields', () => {
  for (const child of [false, true]) {
    const base = capture();
    const logger = child ? base.logger.child({ worker: 2, role: 'edge "w"' }) : base.logger;
    const log = accessLogTo(logger);
    const expect = (fields: object) => {
      logger.info(fields);
      return base.last();
    };
    for (const path of PATHS) {
      const cases: Array<[Parameters<typeof log>, object]> = [
        [
          ['GET', path, 200, 1024, 0.12345, 'id-1'],
          { reqId: 'id-1', method: 'GET', path, status: 200, bytes: 1024, ms: 0.123 },
        ],
        [
          ['HEAD', path, 304, 0, 1.5, 'id-2', undefined, { proto: 'h2', tls: 'TLSv1.3', key: '' }],
          {
            reqId: 'id-2',
            method: 'HEAD',
            path,
            status: 304,
            bytes: 0,
            ms: 1.5,
            proto: 'h2',
            tls: 'TLSv1.3',
          },
        ],
        [
          [
            'POST',
            path,
            502,
            57,
            3.25,
            'id-3',
            { upstreamAddress: '10.0.0.7:3000', upstreamMs: 2.0004, upstreamStatus: 0 },
          ],
          {
            reqId: 'id-3',
            method: 'POST',
            path,
            status: 502,
            bytes: 57,
            ms: 3.25,
            upstream: '10.0.0.7:3000',
            upstreamStatus: 0,
            upstreamMs: 2,
          },
        ],
        [
          ['GET', path, 429, 0, Number.NaN, 'id-4', {}],
          {
            reqId: 'id-4',
            method: 'GET',
            path,
            status: 429,
            bytes: 0,
            ms: Number.NaN,
            upstream: '',
            upstreamStatus: 0,
            upstreamMs: -1,
          },
        ],
      ];
      for (const [args, fields] of cases) {
        log(...args);
        const ours = base.last();
        assert.equal(ours, expect(fields), JSON.stringify(args));
        assert.doesNotThrow(() => JSON.parse(ours));
      }
    }
  }
});

test('nothing is written when the logger is above info', () => {
  const { logger, lines } = capture('warn');
  accessLogTo(logger)('GET', '/', 200, 1, 1, 'id');
  assert.deepEqual(lines, []);
});
