/**
 * The whole chain through the edge's published port: page, hashed assets,
 * the static volume, the API, request ids and forwarded addresses.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type Docker from 'dockerode';
import { Client } from 'undici';
import { execNode } from '../src/containers.ts';
import {
  CREATE,
  createBody,
  type DomainRecord,
  INVALID_BODY,
  JSON_HEADERS,
  labelOf,
  listedRecords,
  listPath,
  PAGE_HEADING_HTML,
  PAGE_PATH,
  recordPath,
} from '../src/domain.ts';
import {
  assertErrorResponse,
  BYPASS_CACHE,
  eventually,
  rawRequest,
  staticPaths,
} from '../src/http.ts';
import { logLines, waitForLogLine } from '../src/log-lines.ts';
import { useStack } from '../src/suite.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Every file under `root` but dotfiles, with its SHA-256, as seen inside a container. */
async function listing(container: Docker.Container, root: string): Promise<Record<string, string>> {
  const { exitCode, stdout, stderr } = await execNode(
    container,
    `import { createHash } from 'node:crypto';
     import { readdirSync, readFileSync } from 'node:fs';
     import { join, relative } from 'node:path';
     const root = ${JSON.stringify(root)};
     const out = {};
     for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
       const rel = relative(root, join(e.parentPath, e.name));
       if (!e.isFile() || rel.split('/').some((s) => s.startsWith('.'))) continue;
       out[rel] = createHash('sha256').update(readFileSync(join(root, rel))).digest('hex');
     }
     console.log(JSON.stringify(out));`,
  );
  assert.equal(exitCode, 0, stderr);
  return JSON.parse(stdout) as Record<string, string>;
}

describe('the chain, through the edge', () => {
  const stack = useStack('chain');

  test('the static volume holds exactly the set collectstatic built into the app image', async () => {
    const built = await listing(await stack().container('app'), '/app/services/app/dist/static');
    const served = await listing(await stack().container('edge'), '/srv/static');
    assert.ok(Object.keys(built).length >= 4, `the image's set: ${Object.keys(built).join(', ')}`);
    assert.ok('manifest.json' in built);
    assert.deepEqual(served, built);
  });

  test('the page renders and its hashed assets load immutable, precompressed, with Vary', async () => {
    const set = await listing(await stack().container('edge'), '/srv/static');
    const res = await fetch(stack().url(PAGE_PATH), { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(res.headers.get('x-instance-id'), 'rendered by an app replica');
    const html = await res.text();
    assert.match(html, PAGE_HEADING_HTML);
    const assets = staticPaths(html).map((path) => path.slice('/static/'.length));
    assert.ok(assets.length >= 3, `assets named: ${assets.join(', ')}`);
    for (const name of assets) {
      assert.ok(name in set, `${name} is in the volume`);
      assert.match(name, /\.[0-9a-f]{8}\.[a-z]+$/, `${name} is a hashed name`);
      for (const encoding of ['br', 'gzip'] as const) {
        const asset = await fetch(stack().url(`/static/${name}`), {
          headers: { 'accept-encoding': encoding },
        });
        await asset.arrayBuffer();
        assert.equal(asset.status, 200, name);
        assert.equal(asset.headers.get('cache-control'), IMMUTABLE, name);
        assert.match(asset.headers.get('vary') ?? '', /accept-encoding/i, name);
        const sibling = `${name}.${encoding === 'br' ? 'br' : 'gz'}`;
        // A sibling exists only where it is smaller; then the edge must send it.
        assert.equal(
          asset.headers.get('content-encoding'),
          sibling in set ? encoding : null,
          `${name} with Accept-Encoding: ${encoding}`,
        );
      }
    }
    const compressed = assets.filter((name) => `${name}.br` in set);
    assert.ok(compressed.length >= 1, 'at least one asset is served precompressed');
  });

  test('the API creates, reads, lists and deletes a record', async () => {
    const url = stack().url;
    const created = await fetch(url(CREATE.path), {
      method: CREATE.method,
      headers: JSON_HEADERS,
      body: createBody('  Chain ', 'through the whole chain'),
    });
    assert.equal(created.status, CREATE.status);
    assert.ok(created.headers.get('x-instance-id'), 'the replica names itself');
    const record = (await created.json()) as DomainRecord;
    assert.equal(labelOf(record), 'Chain', 'trimmed');
    assert.equal(created.headers.get('location'), recordPath(record.id));

    // The app's CRUD, past the edge's cache (the next test is about that).
    const read = await fetch(url(recordPath(record.id)), { headers: BYPASS_CACHE });
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), record);

    await assertErrorResponse(
      await fetch(url(CREATE.path), { method: 'POST', headers: JSON_HEADERS, body: INVALID_BODY }),
      [400],
      ['validation_failed'],
    );

    const listed = await fetch(url(listPath()), { headers: BYPASS_CACHE });
    const list = listedRecords(await listed.json());
    assert.deepEqual(list[0], record, 'newest first');

    const deleted = await fetch(url(recordPath(record.id)), { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    await assertErrorResponse(
      await fetch(url(recordPath(record.id)), { headers: BYPASS_CACHE }),
      [404],
      ['not_found'],
    );
    await assertErrorResponse(
      await fetch(url(recordPath(record.id)), { method: 'DELETE' }),
      [404],
      ['not_found'],
    );
  });

  test("the edge's cache keeps the API's reads, and the writer reads its write at once", async () => {
    const origin = stack().origin;
    // Each request on a new connection, as a new client: the edge's workers
    // share them, so each worker's cache is warmed and then read.
    const READS = 6;
    const readAll = async (path: string) => {
      const answers = [];
      for (let i = 0; i < READS; i++) answers.push(await rawRequest(origin, path));
      return answers;
    };
    const warm = await readAll(listPath());
    assert.ok(
      warm.some((res) => /^edge; hit/.test(String(res.headers['cache-status']))),
      `the list is kept: ${warm.map((res) => res.headers['cache-status']).join(' | ')}`,
    );
    const etag = String(warm[0]?.headers.etag);
    const revalidated = await rawRequest(origin, listPath(), {
      headers: { 'if-none-match': etag },
    });
    assert.equal(revalidated.status, 304, 'a client holding the tag gets 304');

    // The writer, on its keep-alive connection: the worker that relayed the
    // write dropped its copies before answering, so the next read is new.
    const writer = new Client(origin, { pipelining: 1 });
    try {
      const created = await writer.request({
        method: CREATE.method,
        path: CREATE.path,
        headers: JSON_HEADERS,
        body: createBody('Read back', 'at once'),
      });
      assert.equal(created.statusCode, CREATE.status);
      const record = (await created.body.json()) as DomainRecord;
      const own = await writer.request({ method: 'GET', path: listPath() });
      assert.deepEqual(listedRecords(await own.body.json())[0], record, 'listed at once');
      // Every other worker is told over IPC (its test: services/edge/test/
      // cache/workers.test.ts); nothing waits for that, so new connections
      // are only held to the list's lifetime here.
      await eventually(
        async () => {
          for (const res of await readAll(listPath())) {
            assert.deepEqual(listedRecords(JSON.parse(res.body))[0], record);
          }
        },
        { timeoutMs: 5_000, intervalMs: 200 },
      );
      const path = recordPath(record.id);
      await writer.request({ method: 'GET', path }).then((res) => res.body.dump());
      const deleted = await writer.request({ method: 'DELETE', path });
      await deleted.body.dump();
      assert.equal(deleted.statusCode, 204);
      const gone = await writer.request({ method: 'GET', path });
      await gone.body.dump();
      assert.equal(gone.statusCode, 404, 'the delete, seen at once');
    } finally {
      await writer.close();
    }
  });

  test('/static/ is answered by the edge alone: no request of it reaches the app', async () => {
    const id = `e2e-static-${randomBytes(6).toString('hex')}`;
    const manifest = await fetch(stack().url('/static/manifest.json'), {
      headers: { 'x-request-id': id },
    });
    await manifest.arrayBuffer();
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers.get('x-instance-id'), null, 'no app replica answered');
    const missing = await fetch(stack().url('/static/missing.css'));
    await missing.arrayBuffer();
    assert.equal(missing.status, 404);
    const posted = await fetch(stack().url('/static/x.css'), { method: 'POST', body: 'x' });
    await posted.arrayBuffer();
    assert.equal(posted.status, 405);
    await waitForLogLine(stack().artifacts, 'edge', (line) => line.reqId === id);
    // Absence is only proved once the app's log has caught up: a later
    // request's line there means the static ones had their chance to appear.
    const later = `e2e-after-static-${randomBytes(6).toString('hex')}`;
    await (
      await fetch(stack().url(listPath()), { headers: { ...BYPASS_CACHE, 'x-request-id': later } })
    ).arrayBuffer();
    await waitForLogLine(stack().artifacts, 'app', (line) => line.requestId === later);
    const reached = (await logLines(stack().artifacts, 'app')).filter(
      (line) => line.requestId === id || String(line.url ?? '').startsWith('/static/'),
    );
    assert.deepEqual(reached, []);
  });

  test("a request id sent in comes back and is in both the edge's and the app's logs", async () => {
    const id = `e2e-chain-${randomBytes(6).toString('hex')}`;
    const res = await fetch(stack().url(listPath()), {
      headers: { ...BYPASS_CACHE, 'x-request-id': id },
    });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    assert.equal(res.headers.get('x-request-id'), id);
    const edge = await waitForLogLine(stack().artifacts, 'edge', (line) => line.reqId === id);
    assert.equal(edge.path, listPath());
    assert.equal(edge.status, 200);
    const app = await waitForLogLine(stack().artifacts, 'app', (line) => line.requestId === id);
    assert.equal(app.url, listPath());
    assert.equal(app.statusCode, 200);
  });

  test('a malformed request id is replaced by a new one', async () => {
    const res = await fetch(stack().url(listPath()), {
      headers: { ...BYPASS_CACHE, 'x-request-id': 'not ok; <script>' },
    });
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    const id = res.headers.get('x-request-id') ?? '';
    assert.match(id, /^[0-9a-f-]{36}$/);
    await waitForLogLine(stack().artifacts, 'app', (line) => line.requestId === id);
  });

  test("a client's forged X-Forwarded-For is not the address the app logs", async () => {
    const id = `e2e-xff-${randomBytes(6).toString('hex')}`;
    const forged = '203.0.113.77';
    const res = await fetch(stack().url(listPath()), {
      headers: {
        ...BYPASS_CACHE,
        'x-request-id': id,
        'x-forwarded-for': forged,
        'x-real-ip': forged,
      },
    });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const line = await waitForLogLine(stack().artifacts, 'app', (l) => l.requestId === id);
    assert.notEqual(line.clientAddress, forged);
    // The peer the edge saw: from the host, the published port's traffic
    // arrives from the front network's gateway. Not the edge's own address
    // either, which is what an app that ignored the edge's header would log.
    const front = await stack().docker.getNetwork(`${stack().project}_front`).inspect();
    const gateway = (front as { IPAM: { Config: { Gateway?: string }[] } }).IPAM.Config[0]?.Gateway;
    assert.equal(line.clientAddress, gateway);
  });
});
