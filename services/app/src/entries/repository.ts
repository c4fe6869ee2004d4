/** Every SQL statement about guestbook entries. */
import type pg from 'pg';
import type { Position } from './cursor.ts';

export interface Entry {
  id: number;
  author: string;
  message: string;
  createdAt: string;
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
}

// The position travels as exact integers: a float or a JS Date would drop
// microseconds and skip or repeat entries at page edges.
const COLUMNS = `id, author, message, created_at,
  (extract(epoch FROM created_at) * 1000000)::bigint AS created_micros`;

function toEntry(row: EntryRow): Entry {
  return {
    // bigint comes back as text; ids stay far below 2^53 (the route's limit).
    id: Number(row.id),
    author: row.author,
    message: row.message,
    createdAt: row.created_at.toISOString(),
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

    async create(author: string, message: string): Promise<Entry> {
      const { rows } = await pool.query<EntryRow>(
        `INSERT INTO entries (author, message) VALUES ($1, $2) RETURNING ${COLUMNS}`,
        [author, message],
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

    /** True when an entry was deleted. */
    async remove(id: number): Promise<boolean> {
      const { rowCount } = await pool.query('DELETE FROM entries WHERE id = $1', [id]);
      return rowCount === 1;
    },
  };
}

export type EntryRepository = ReturnType<typeof entryRepository>;
