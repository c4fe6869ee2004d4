import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { WALKTHROUGH } from '../add-notes.ts';
import { applyBlocks, parseBlocks, planBlocks } from '../blocks.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FENCE = '```';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'walkthrough-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(
    join(dir, 'src/app.ts'),
    "import a from './a.ts';\n\nfunction f() {\n  return [a];\n}\n",
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const doc = (...blocks: string[]) => blocks.join('\nSome prose.\n\n');
const block = (info: string, ...lines: string[]) => [`${FENCE}${info}`, ...lines, FENCE].join('\n');

test('writes new files and inserts lines after or before an anchor, at its indentation; other blocks are prose', () => {
  const blocks = parseBlocks(
    doc(
      block('sh', 'npm test'),
      block('ts file=src/b.ts', "export default 'b';"),
      block(`ts file=src/app.ts after="import a from"`, "import b from './b.ts';"),
      block('ts file=src/app.ts before="return [a]"', '// indented as the anchor', '', 'a.x();'),
    ),
  );
  assert.equal(blocks.length, 3);
  const written = applyBlocks(dir, blocks);
  assert.deepEqual(written.sort(), [join(dir, 'src/app.ts'), join(dir, 'src/b.ts')]);
  assert.equal(readFileSync(join(dir, 'src/b.ts'), 'utf8'), "export default 'b';\n");
  assert.equal(
    readFileSync(join(dir, 'src/app.ts'), 'utf8'),
    "import a from './a.ts';\nimport b from './b.ts';\n\nfunction f() {\n  // indented as the anchor\n\n  a.x();\n  return [a];\n}\n",
  );
});

test('an insertion into a file that does not exist fails, and nothing is written', () => {
  const blocks = parseBlocks(
    doc(block('ts file=src/new.ts', 'x'), block('ts file=src/missing.ts after="x"', 'y')),
  );
  assert.throws(() => applyBlocks(dir, blocks), /src\/missing\.ts does not exist/);
  assert.equal(existsSync(join(dir, 'src/new.ts')), false, 'the earlier block was not written');
});

test('an anchor found on no line, or on two, fails', () => {
  const missing = parseBlocks(block('ts file=src/app.ts after="import z from"', 'y'));
  assert.throws(() => applyBlocks(dir, missing), /0 lines containing "import z from"/);
  const twice = parseBlocks(block('ts file=src/app.ts after="a"', 'y'));
  assert.throws(() => applyBlocks(dir, twice), /2 lines containing "a"/);
  assert.equal(readFileSync(join(dir, 'src/app.ts'), 'utf8').includes('y'), false);
});

test('a new file that already exists, or outside the checkout, fails', () => {
  assert.throws(
    () => applyBlocks(dir, parseBlocks(block('ts file=src/app.ts', 'x'))),
    /already exists/,
  );
  assert.throws(
    () => applyBlocks(dir, parseBlocks(block('ts file=../escape.ts', 'x'))),
    /not inside the checkout/,
  );
});

test('a misspelt attribute, both anchors, an unclosed block or a backtick in the info string fail', () => {
  assert.throws(
    () => parseBlocks(block('ts file=src/app.ts afer="a"', 'x')),
    /unknown attribute afer=/,
  );
  assert.throws(
    () => parseBlocks(block('ts file=src/app.ts after="a" before="b"', 'x')),
    /not both/,
  );
  assert.throws(() => parseBlocks(`${FENCE}ts file=src/x.ts\nx\n`), /never closed/);
  assert.throws(
    () => parseBlocks(block('ts file=src/app.ts after="`a`"', 'x')),
    /cannot hold a backtick/,
  );
});

test(`${WALKTHROUGH} fits this checkout: every new file is new, every anchor found once`, () => {
  const blocks = parseBlocks(readFileSync(join(ROOT, WALKTHROUGH), 'utf8'));
  assert.ok(
    blocks.some((b) => b.anchor),
    'the page edits files that exist',
  );
  assert.ok(planBlocks(ROOT, blocks).size > 5);
});
