/** Every SQL statement about guestbook entries. */
import type pg from 'pg';
import type { Position } from './cursor.ts';

/** An entry's image as stored: paths relative to the media root. */
export interface StoredImage {
  path: string;
  type: string;
  width: number;
  height: number;
  thumbPath: string;
  thumbWidth: number;
  thumbHeight: number;
  /** The client's file name: metadata only, escaped wherever it is shown. */
  name: string;
  /** The bytes as uploaded, under the protected root; served only with the key. */
  originalPath: string;
  /** SHA-256 of the original's secret key (media/service.ts). */
  keyHash: string;
}

export interface Entry {
  id: number;
  author: string;
  message: string;
  createdAt: string;
  image: StoredImage | null;
}

export interface EntryPage {
  entries: Entry[];
  /** Where the next page starts; absent on the last page. */
  next: Position | undefined;
}

interface EntryRow {
  id: string;
  author: string;
  message: string;
  created_at: Date;
  created_micros: string;
  image_path: string | null;
  image_type: string;
  image_width: number;
  image_height: number;
  thumb_path: string;
  thumb_width: number;
  thumb_height: number;
  image_name: string;
  original_path: string;
  original_key_hash: string;
}

// The position travels as exact integers: a float or a JS Date would drop
// microseconds and skip or repeat entries at page edges.
const COLUMNS = `id, author, message, created_at,
  (extract(epoch FROM created_at) * 1000000)::bigint AS created_micros,
  image_path, image_type, image_width, image_height, thumb_path, thumb_width, thumb_height,
  image_name, original_path, original_key_hash`;

function toEntry(row: EntryRow): Entry {
  return {
    // bigint comes back as text; ids stay far below 2^53 (the route's limit).
    id: Number(row.id),
    author: row.author,
    message: row.message,
    createdAt: row.created_at.toISOString(),
    image:
      row.image_path === null
        ? null
        : {
            path: row.image_path,
            type: row.image_type,
            width: row.image_width,
            height: row.image_height,
            thumbPath: row.thumb_path,
            thumbWidth: row.thumb_width,
            thumbHeight: row.thumb_height,
            name: row.image_name,
            originalPath: row.original_path,
            keyHash: row.original_key_hash,
          },
  };
}

export function entryRepository(pool: pg.Pool) {
  return {
    /** Newest first, `limit` entries after `after` (or from the top). */
    async list(limit: number, after: Position | undefined): Promise<EntryPage> {
      // One row more than asked says whether a next page exists, so a page
      // that ends exactly at the last entry gets no cursor to an empty page.
      const { rows } = after
        ? await pool.query<EntryRow>(
            `SELECT ${COLUMNS} FROM entries
             WHERE (created_at, id) < (timestamptz 'epoch' + $1::bigint * interval '1 microsecond', $2::bigint)
             ORDER BY created_at DESC, id DESC LIMIT $3`,
            [after.createdMicros, after.id, limit + 1],
          )
        : await pool.query<EntryRow>(
            `SELECT ${COLUMNS} FROM entries ORDER BY created_at DESC, id DESC LIMIT $1`,
            [limit + 1],
          );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const next =
        rows.length > limit && last
          ? { createdMicros: last.created_micros, id: last.id }
          : undefined;
      return { entries: page.map(toEntry), next };
    },

    /** `image`'s files must already be stored: the row is committed after them. */
    async create(author: string, message: string, image?: StoredImage): Promise<Entry> {
      const { rows } = await pool.query<EntryRow>(
        `INSERT INTO entries (author, message, image_path, image_type, image_width, image_height,
           thumb_path, thumb_width, thumb_height, image_name, original_path, original_key_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
        [
          author,
          message,
          image?.path ?? null,
          image?.type ?? null,
          image?.width ?? null,
          image?.height ?? null,
          image?.thumbPath ?? null,
          image?.thumbWidth ?? null,
          image?.thumbHeight ?? null,
          image?.name ?? null,
          image?.originalPath ?? null,
          image?.keyHash ?? null,
        ],
      );
      const [row] = rows;
      if (!row) throw new Error('INSERT returned no row');
      return toEntry(row);
    },

    async get(id: number): Promise<Entry | undefined> {
      const { rows } = await pool.query<EntryRow>(`SELECT ${COLUMNS} FROM entries WHERE id = $1`, [
        id,
      ]);
      return rows[0] && toEntry(rows[0]);
    },

    /** The deleted entry's media paths (none without an image), or undefined when there was none. */
    async remove(id: number): Promise<string[] | undefined> {
      const { rows } = await pool.query<Record<string, string | null>>(
        'DELETE FROM entries WHERE id = $1 RETURNING image_path, thumb_path, original_path',
        [id],
      );
      const [row] = rows;
      if (!row) return undefined;
      return [row.image_path, row.thumb_path, row.original_path].filter(
        (path): path is string => typeof path === 'string',
      );
    },

    /** True when some entry names `path` (relative to the media root). */
    async mediaInUse(path: string): Promise<boolean> {
      const { rowCount } = await pool.query(
        `SELECT 1 FROM entries
         WHERE image_path = $1 OR thumb_path = $1 OR original_path = $1 LIMIT 1`,
        [path],
      );
      return rowCount === 1;
    },
  };
}

export type EntryRepository = ReturnType<typeof entryRepository>;
