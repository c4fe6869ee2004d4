/**
 * The file-system side of static serving: everything the table does not
 * hold (previous sets, non-hashed names, files beyond the memory bound).
 *
 * Why not @fastify/static here (measured and read, see the README): with
 * `dotfiles: 'deny'` it still follows a symlink out of the root (it checks the
 * requested path, never the real one); its ETags are weak and can coincide
 * for a .br and a .gz sibling of equal size and mtime; it sets no
 * `Vary: Accept-Encoding`; and the in-memory table would need a second,
 * byte-for-byte identical implementation of its validators. The protocol
 * lives once in preconditions.ts; this file only finds and opens files.
 */
import type { Stats } from 'node:fs';
import { type FileHandle, open, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { chooseEncoding } from './negotiate.ts';
import {
  ENCODINGS,
  type Encoding,
  type Representation,
  representationOf,
  SIBLING_SUFFIX,
} from './representation.ts';

export interface OpenedFile {
  readonly rep: Representation;
  /** Closed by the caller, or by the read stream made from it. */
  readonly handle: FileHandle;
}

/**
 * The real path of `rel` when it is a file inside `rootReal`, else undefined.
 * realpath resolves every symlink, so a link to /etc/passwd or to a directory
 * outside the root is refused however it is spelled; a link that stays inside
 * the root is served, like nginx's default `disable_symlinks off`. Dotfiles
 * are refused on the real path too (a link named `a.css` to `.env`).
 */
export async function resolveInside(rootReal: string, rel: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(`${rootReal}${sep}${rel}`);
  } catch {
    return undefined;
  }
  if (!real.startsWith(rootReal + sep)) return undefined;
  const inner = real.slice(rootReal.length + 1);
  if (inner.split(sep).some((segment) => segment.startsWith('.'))) return undefined;
  return real;
}

/** `rel` opened when it is a regular file inside `rootReal`, with facts from the open descriptor. */
export async function openInside(
  rootReal: string,
  rel: string,
): Promise<{ handle: FileHandle; stat: Stats } | undefined> {
  const real = await resolveInside(rootReal, rel);
  if (real === undefined) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(real, 'r');
  } catch {
    return undefined;
  }
  // Facts from the open descriptor, so headers and bytes describe the same
  // file even if a new one is renamed over the name meanwhile.
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    return undefined;
  }
  return { handle, stat };
}

async function openFile(
  rootReal: string,
  rel: string,
  served: string,
  encoding: Encoding | undefined,
  immutable: boolean,
): Promise<OpenedFile | undefined> {
  const opened = await openInside(rootReal, served);
  if (opened === undefined) return undefined;
  return {
    rep: representationOf({ rel, stat: opened.stat, encoding, immutable }),
    handle: opened.handle,
  };
}

/**
 * Opens the representation of `rel` that `acceptEncoding` prefers among the
 * siblings that exist; undefined when `rel` itself is not servable (a
 * sibling never stands in for a missing original).
 */
export async function openRepresentation(
  rootReal: string,
  rel: string,
  acceptEncoding: string | undefined,
  immutable: boolean,
): Promise<OpenedFile | undefined> {
  if ((await resolveInside(rootReal, rel)) === undefined) return undefined;
  const candidates = [...ENCODINGS];
  for (;;) {
    const encoding = chooseEncoding(acceptEncoding, candidates);
    if (encoding === undefined) return openFile(rootReal, rel, rel, undefined, immutable);
    const opened = await openFile(
      rootReal,
      rel,
      rel + SIBLING_SUFFIX[encoding],
      encoding,
      immutable,
    );
    if (opened) return opened;
    candidates.splice(candidates.indexOf(encoding), 1);
  }
}
