/**
 * User uploads through the real stack: an image posted to the app is
 * re-encoded (its metadata gone), stored in the `media` volume under a
 * content-hash name and served by the edge with the user-file headers;
 * each hostile file is refused with its status and stores nothing; the
 * edge refuses an oversize body before the app; traversal on /media/
 * never leaves the volume; an app killed mid-upload leaves no file served.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { exec, execNode, waitHealthy } from '../src/containers.ts';
import {
  CREATE,
  type DomainRecord,
  FILE_FIELD,
  fileUrlsOf,
  listedRecords,
  listPath,
  MEDIA_DIR,
  originalUrlOf,
  postRecordWithFile,
  recordBody,
} from '../src/domain.ts';
import { BYPASS_CACHE, eventually, rawRequest } from '../src/http.ts';
import { useStack } from '../src/suite.ts';
import { attacks, METADATA_MARKER, png } from '../src/upload-files.ts';

const APP_MAX_BYTES = 1024 * 1024;
const EDGE_MAX_BYTES = 2 * 1024 * 1024;

const SAFE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
};

function assertSafe(headers: Headers | Record<string, unknown>, where: string) {
  for (const [name, value] of Object.entries(SAFE_HEADERS)) {
    const got = headers instanceof Headers ? headers.get(name) : headers[name];
    assert.equal(got, value, `${where}: ${name}`);
  }
}

describe('uploads through the stack', () => {
  const stack = useStack('media', {
    env: {
      APP_MEDIA_MAX_BYTES: String(APP_MAX_BYTES),
      EDGE_UPLOAD_MAX_BODY_BYTES: String(EDGE_MAX_BYTES),
    },
  });

  /** Every file in the media volume, as the app's container sees it. */
  async function storedFiles(): Promise<string[]> {
    const app = await stack().container('app');
    const found = await exec(app, ['find', MEDIA_DIR, '-type', 'f']);
    assert.equal(found.exitCode, 0, found.stderr);
    return found.stdout.split('\n').filter((line) => line !== '');
  }

  async function recordCount(): Promise<number> {
    const res = await fetch(stack().url(listPath({ limit: 100 })), { headers: BYPASS_CACHE });
    assert.equal(res.status, 200);
    return listedRecords(await res.json()).length;
  }

  test('an image is stored re-encoded in the fresh volume and served with the user-file headers', async () => {
    const res = await postRecordWithFile(stack().url, 'Uploader', {
      name: 'holiday.png',
      type: 'image/png',
      data: png(400, 300),
    });
    assert.equal(res.status, CREATE.status, await res.clone().text());
    const record = (await res.json()) as DomainRecord;
    const [image, thumbnail] = fileUrlsOf(record);
    assert.ok(image && thumbnail);
    assert.match(image, /^\/media\/images\/[0-9a-f]{64}\.png$/, 'a content-hash name');

    const served = await fetch(stack().url(image));
    assert.equal(served.status, 200);
    assertSafe(served.headers, image);
    assert.equal(served.headers.get('content-type'), 'image/png');
    assert.equal(served.headers.get('content-disposition'), 'inline');
    assert.equal(served.headers.get('cache-control'), 'public, max-age=3600');
    const bytes = Buffer.from(await served.arrayBuffer());
    assert.ok(!bytes.includes(METADATA_MARKER), 'the metadata was stripped');

    const etag = served.headers.get('etag') ?? '';
    const again = await fetch(stack().url(image), { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assertSafe(again.headers, '304');
    const part = await fetch(stack().url(image), { headers: { range: 'bytes=0-7' } });
    assert.equal(part.status, 206);
    assert.equal(Buffer.from(await part.arrayBuffer()).length, 8);

    const thumb = await fetch(stack().url(thumbnail));
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/webp');
    assertSafe(thumb.headers, thumbnail);
  });

  test('only the app writes the media volume: the edge mounts it read-only', async () => {
    const probe = (dir: string) => `${MEDIA_DIR}/${dir}/.write-probe`;
    const app = await stack().container('app');
    const wrote = await exec(app, [
      'sh',
      '-c',
      `touch ${probe('public')} && rm ${probe('public')}`,
    ]);
    assert.equal(wrote.exitCode, 0, `the app (its non-root user) writes: ${wrote.stderr}`);
    const edge = await stack().container('edge');
    for (const dir of ['public', 'protected']) {
      const refused = await exec(edge, ['touch', probe(dir)]);
      assert.notEqual(refused.exitCode, 0, `the edge cannot write ${dir}/`);
      assert.match(refused.stderr, /Read-only file system/);
    }
  });

  for (const attack of attacks(APP_MAX_BYTES)) {
    test(`${attack.what}: ${attack.status} ${attack.code}, nothing stored`, async () => {
      const filesBefore = await storedFiles();
      const recordsBefore = await recordCount();
      const res = await postRecordWithFile(stack().url, 'Attacker', attack.file);
      const body = (await res.json()) as { code: string; message: string };
      assert.equal(res.status, attack.status, JSON.stringify(body));
      assert.equal(body.code, attack.code);
      console.log(`# ${attack.what} → ${res.status} ${body.code}: ${body.message}`);
      assert.deepEqual(await storedFiles(), filesBefore);
      assert.equal(await recordCount(), recordsBefore);
    });
  }

  test('the original upload: with the secret link the edge sends it (X-Accel-Redirect); without it, or asked directly, 404', async () => {
    const data = png(64, 64);
    const res = await postRecordWithFile(stack().url, 'Owner', {
      name: 'mine.png',
      type: 'image/png',
      data,
    });
    assert.equal(res.status, CREATE.status);
    const originalUrl = originalUrlOf(await res.json());
    const granted = await fetch(stack().url(originalUrl));
    assert.equal(granted.status, 200);
    assert.deepEqual(Buffer.from(await granted.arrayBuffer()), data, 'the bytes as uploaded');
    assert.equal(granted.headers.get('content-type'), 'image/png');
    assert.match(
      granted.headers.get('content-disposition') ?? '',
      /^attachment; filename="mine\.png"/,
    );
    assert.equal(granted.headers.get('x-accel-redirect'), null);
    assertSafe(granted.headers, 'the original');
    const wrongKey = originalUrl.replace(/key=[^&]+/, 'key=guessed');
    assert.equal((await fetch(stack().url(wrongKey))).status, 404);
    const app = await stack().container('app');
    const stored = await exec(app, ['find', `${MEDIA_DIR}/protected`, '-type', 'f']);
    const [first] = stored.stdout.split('\n').filter((line) => line !== '');
    assert.ok(first, 'an original is stored');
    const direct = first.replace(`${MEDIA_DIR}/protected/`, '/_protected/');
    const asked = await rawRequest(stack().origin, direct);
    assert.equal(asked.status, 404, `${direct} asked directly`);
    const viaMedia = await rawRequest(
      stack().origin,
      first.replace(`${MEDIA_DIR}/protected/`, '/media/'),
    );
    assert.equal(viaMedia.status, 404, 'not under /media/ either');
  });

  test('a body over the upload limit is refused by the edge, before the app reads it', async () => {
    const res = await postRecordWithFile(stack().url, 'Attacker', {
      name: 'huge.png',
      type: 'image/png',
      data: Buffer.alloc(EDGE_MAX_BYTES + 1024),
    });
    assert.equal(res.status, 413);
    const body = (await res.json()) as { code: string; message: string };
    assert.equal(body.code, 'body_too_large', 'the edge answered, not the app');
    assert.equal(res.headers.get('x-instance-id'), null, 'no app replica answered');
  });

  test('traversal and encoded paths on /media/ never leave the volume', async () => {
    for (const path of [
      '/media/../compose.yaml',
      '/media/%2e%2e/%2e%2e/etc/passwd',
      '/media/..%2f..%2fetc%2fpasswd',
      '/media/images/..%5c..%5cetc%5cpasswd',
      '/media/%252e%252e/etc/passwd',
      '/media/.tmp/',
      '/media/%2etmp/',
      '/media/images/',
      '/media/',
      '/media/images/x.png%00.html',
    ]) {
      const res = await rawRequest(stack().origin, path);
      assert.ok(res.status === 404 || res.status === 400, `${path}: ${res.status}`);
      assert.ok(!res.body.includes('root:x:0:0'), `${path} leaked /etc/passwd`);
      assertSafe(res.headers, path);
    }
  });

  test('an app killed mid-upload leaves no file served and no record', async () => {
    const recordsBefore = await recordCount();
    const boundary = 'killed-mid-upload';
    const fields = Object.entries(recordBody('Killed mid-upload')).map(
      ([name, value]) =>
        `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
    );
    const head = `${fields.join('')}--${boundary}\r\ncontent-disposition: form-data; name="${FILE_FIELD}"; filename="half.png"\r\ncontent-type: image/png\r\n\r\n`;
    const { hostname, port } = new URL(stack().origin);
    const req = request({
      host: hostname,
      port,
      method: CREATE.method,
      path: CREATE.path,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + 600_000),
      },
    });
    req.on('error', () => {});
    const answered = new Promise<number>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('close', () => resolve(0));
    });
    req.write(head);
    req.write(png(200, 200).subarray(0, 300));
    const app = await stack().container('app');
    // The temporary is there: the app has begun writing the upload.
    await eventually(async () => {
      const listed = await exec(app, ['find', `${MEDIA_DIR}/.tmp`, '-type', 'f', '-size', '+0']);
      if (listed.stdout.trim() === '') throw new Error('no temporary yet');
    });
    const restartsBefore = (await app.inspect()).RestartCount;
    // The exec dies with the container, so its own exit code says nothing.
    const killed = await execNode(
      app,
      `import { readdirSync, readFileSync } from 'node:fs';
       for (const pid of readdirSync('/proc').filter((p) => /^\\d+$/.test(p))) {
         const cmd = readFileSync('/proc/' + pid + '/cmdline', 'utf8');
         if (Number(pid) !== process.pid && cmd.includes('src/main.ts')) process.kill(Number(pid), 'SIGKILL');
       }`,
    );
    req.destroy();
    assert.notEqual(await answered, 201);
    // The engine restarts the container (restart: unless-stopped); until its
    // count moves, "healthy" may still be the killed one's last state.
    await eventually(async () => {
      const { RestartCount } = await (await stack().container('app')).inspect();
      if (RestartCount <= restartsBefore) {
        throw new Error(`not restarted yet (${killed.exitCode} ${killed.stderr})`);
      }
    });
    await waitHealthy(await stack().container('app'));
    const files = await storedFiles();
    const temporaries = files.filter((file) => file.startsWith(`${MEDIA_DIR}/.tmp/`));
    assert.ok(temporaries.length > 0, 'the half upload is in .tmp/, for the sweeper');
    for (const file of temporaries) {
      const res = await rawRequest(stack().origin, file.replace(MEDIA_DIR, '/media'));
      assert.equal(res.status, 404, `${file} is not served`);
    }
    // The edge puts the replica back within its health interval.
    await eventually(async () => assert.equal(await recordCount(), recordsBefore));
  });
});
