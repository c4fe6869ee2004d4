/**
 * The static set's contract: collectstatic writes `manifest.json` and hashed
 * names, the edge reads them and serves those names `immutable`. One parser
 * and one naming rule, so a manifest the app accepts is one the edge accepts.
 */

/** The file that maps source names to hashed names, at the root of a set. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * The manifest: `{"version": 1, "files": {"css/app.css": "css/app.3f9a1c2b.css"}}`.
 * Keys are source paths relative to the static root, values the hashed paths
 * that the edge serves `immutable`.
 */
export interface Manifest {
  readonly version: 1;
  readonly files: Readonly<Record<string, string>>;
}

/** A manifest that is not one; the message is one line naming the source and the reason. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

const HASH = /^[0-9a-f]{8}$/;
// Matched on the base name: the previous sets collectstatic keeps are just as
// content-addressed as the current one, so the pattern, not the manifest, decides.
const HASHED_BASE = /\.[0-9a-f]{8}(?:\.[^./]+)?$/;
const SIBLING = /\.(?:br|gz)$/;

/**
 * True for a relative POSIX path that stays inside its root and names no
 * dotfile: a manifest names files that collectstatic writes and the edge
 * serves, so `../x`, `/etc/x` and the `.collectstatic` bookkeeping are never
 * valid names.
 */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return false;
  return path.split('/').every((segment) => segment.length > 0 && !segment.startsWith('.'));
}

function splitExtension(name: string): { stem: string; ext: string } {
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  // A dot that starts the base name is not an extension separator.
  if (dot <= slash + 1) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext: name.slice(dot) };
}

/** `css/app.css` + `3f9a1c2b` → `css/app.3f9a1c2b.css` (Django's naming: hash before the last extension). */
export function hashedName(name: string, hash: string): string {
  const { stem, ext } = splitExtension(name);
  return `${stem}.${hash}${ext}`;
}

/** The hash inside `hashed` when it is `name` with a hash inserted, else undefined. */
export function hashOfName(name: string, hashed: string): string | undefined {
  const { stem, ext } = splitExtension(name);
  if (!hashed.startsWith(`${stem}.`) || !hashed.endsWith(ext)) return undefined;
  const hash = hashed.slice(stem.length + 1, hashed.length - ext.length);
  return HASH.test(hash) ? hash : undefined;
}

/**
 * True for a name {@link hashedName} could have produced, or its `.br`/`.gz`
 * sibling, whichever set it belongs to; so a name never flips between
 * `no-cache` and `immutable` while a new manifest is being loaded.
 */
export function isHashedName(rel: string): boolean {
  const slash = rel.lastIndexOf('/');
  const base = rel.slice(slash + 1).replace(SIBLING, '');
  return HASHED_BASE.test(base);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a manifest's text. `source` names where it came from (a path) so
 * the one-line error says which file is wrong and how.
 */
export function parseManifest(text: string, source: string): Manifest {
  const fail = (why: string) =>
    new ManifestError(`${source}: not a collectstatic manifest: ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw fail(`invalid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isPlainObject(value)) throw fail('expected an object {"version": 1, "files": {...}}');
  if (value.version !== 1) throw fail(`"version" must be 1, got ${JSON.stringify(value.version)}`);
  const extra = Object.keys(value).filter((key) => key !== 'version' && key !== 'files');
  if (extra.length > 0) throw fail(`unexpected key ${JSON.stringify(extra[0])}`);
  if (!isPlainObject(value.files)) throw fail('"files" must be an object of name → hashed name');
  const files: Record<string, string> = {};
  for (const [name, hashed] of Object.entries(value.files)) {
    if (!isSafeRelativePath(name)) throw fail(`unsafe name ${JSON.stringify(name)}`);
    if (typeof hashed !== 'string' || hashOfName(name, hashed) === undefined) {
      throw fail(`files[${JSON.stringify(name)}] must be the name with an 8-hex hash inserted`);
    }
    files[name] = hashed;
  }
  return Object.freeze({ version: 1, files: Object.freeze(files) });
}

/** The manifest's bytes: keys sorted, two-space indent, trailing newline, so equal sets give equal files. */
export function serializeManifest(manifest: Manifest): string {
  const files: Record<string, string> = {};
  for (const name of Object.keys(manifest.files).sort())
    files[name] = manifest.files[name] as string;
  return `${JSON.stringify({ version: 1, files }, null, 2)}\n`;
}
