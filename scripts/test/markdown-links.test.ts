import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { anchors, checkRepo, links, report, slug } from './markdown-links.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

test("every relative link in the repo's tracked Markdown resolves", () => {
  const broken = checkRepo(repoRoot);
  assert.equal(broken.length, 0, `broken links:\n${report(broken)}`);
});

describe('the checker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'md-links-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // A throwaway repo, because the checker reads the file list from git.
  const repo = (files: Record<string, string>) => {
    const root = mkdtempSync(join(dir, 'repo-'));
    execFileSync('git', ['init', '-q'], { cwd: root });
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), body);
    }
    execFileSync('git', ['add', '-A'], { cwd: root });
    return root;
  };

  test('reports a missing file, a missing heading and a missing local anchor, with file:line', () => {
    const root = repo({
      'README.md':
        '# Top\n\nSee [a](docs/a.md) and [gone](docs/gone.md).\n\n[b](docs/a.md#nope) [c](#top) [d](#missing)\n',
      'docs/a.md': '## Real heading\n\n[up](../README.md#top)\n\n[ref]: ./nowhere.txt\n',
    });
    const text = report(checkRepo(root));
    assert.equal(
      text,
      [
        'README.md:3 → docs/gone.md (no such file)',
        'README.md:5 → docs/a.md#nope (no such heading)',
        'README.md:5 → #missing (no such heading)',
        'docs/a.md:5 → ./nowhere.txt (no such file)',
      ].join('\n'),
    );
  });

  test('passes good links, external links and links inside code', () => {
    const root = repo({
      'README.md': [
        '# Setup: the `npm ci` step!',
        '',
        '[ok](docs/a.md#real-heading) ![img](docs/) [web](https://example.com/x) [mail](mailto:a@b.c)',
        '[self](#setup-the-npm-ci-step) [code](src/x.ts#L10)',
        '',
        'Inline `[no](missing.md)` and ``[no](also `missing`.md)`` are code.',
        '',
        '````md',
        '[no](missing.md)',
        '```',
        '[still code](missing.md)',
        '````',
        '~~~',
        '[no](missing.md)',
        '~~~',
      ].join('\n'),
      'docs/a.md': 'Real heading\n---\n',
      'src/x.ts': '',
    });
    assert.deepEqual(checkRepo(root), []);
  });

  test("slugs follow GitHub's rule, repeats numbered", () => {
    assert.equal(slug('Run it alone (dev)'), 'run-it-alone-dev');
    assert.equal(slug('Edge → app: X-Request-Id'), 'edge--app-x-request-id');
    assert.equal(slug('snake_case and Ünïcode'), 'snake_case-and-ünïcode');
    assert.deepEqual([...anchors('# A\n## A\n# A\n')], ['a', 'a-1', 'a-2']);
  });

  test('finds inline links spanning lines, images in links and <> destinations', () => {
    const found = links('[a\nb](x.md) [![i](i.png)](y.md)\n[z](<with space.md>)\n');
    assert.deepEqual(
      found.map((l) => `${l.line}:${l.target}`),
      ['2:x.md', '2:i.png', '2:y.md', '3:with space.md'],
    );
  });
});
