/**
 * What the app stores and shows, as the suites outside services/app see it.
 *
 * A fork that replaces the guestbook edits this file and only this file: the
 * e2e suites, the smoke and swarm tests, the benches and the screenshot
 * script prove the proxy, the drain and the rolling updates with "a record
 * the app stores and shows", and they reach it only through these names.
 * Today a record is a guestbook entry: `POST /api/entries` with an author and
 * a message, the page at `/` lists them. One more place names the schema, as
 * SQL cannot import this: the swarm rollout's v2 migration fixture
 * (e2e/swarm/fixtures/v2-migration.sql) adds a column to {@link TABLE}.
 */
import assert from 'node:assert/strict';

/** A stored record as the API returns it; `id` is what the suites rely on. */
export interface DomainRecord {
  id: number;
  author: string;
  message: string;
  createdAt: string;
  /** The record's uploaded file, when it has one: where the edge serves it. */
  image: { url: string; type: string; thumbnail: { url: string } } | null;
}

/** The collection: POST creates there, GET lists there. */
export const COLLECTION_PATH = '/api/entries';

/** How a record is created, and the status that says it was. */
export const CREATE = { method: 'POST', path: COLLECTION_PATH, status: 201 } as const;

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/** A valid record body: `label` names who or what made it, `text` is its content. */
export function recordBody(label: string, text = label): Record<string, unknown> {
  return { author: label, message: text };
}

/** The JSON of {@link recordBody}, ready to send. */
export function createBody(label: string, text = label): string {
  return JSON.stringify(recordBody(label, text));
}

/** The label a record was created with, as the app stored it (trimmed). */
export function labelOf(record: DomainRecord): string {
  return record.author;
}

/** Where one record is read and deleted: also the created record's Location header. */
export function recordPath(id: number | string): string {
  return `${COLLECTION_PATH}/${id}`;
}

/** The list, optionally one page of `limit` records or from a `cursor`. */
export function listPath(query: { limit?: number; cursor?: string } = {}): string {
  const params = new URLSearchParams();
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.cursor !== undefined) params.set('cursor', query.cursor);
  const search = params.toString();
  return search ? `${COLLECTION_PATH}?${search}` : COLLECTION_PATH;
}

/** The records of a parsed list response, newest first. */
export function listedRecords(body: unknown): DomainRecord[] {
  return (body as { entries: DomainRecord[] }).entries;
}

/** Matches a raw list response's body (a socket exchange, no JSON parser at hand). */
export const LIST_BODY = /"entries":/;

/** A body the app refuses with 400 `validation_failed`: the required fields are missing. */
export const INVALID_BODY = '{}';

/**
 * A body that passes the edge's size limit but fails the app's validation:
 * fields far over their maximum, the text `textBytes` long.
 */
export function oversizedFieldsBody(textBytes: number): string {
  return JSON.stringify({ author: 'a'.repeat(100), message: 'b'.repeat(textBytes) });
}

/** A body cut off in the middle: the app's 400 `invalid_json`. */
export const TRUNCATED_JSON = '{"author": "Ada", "message": ';

/** POSTs one record through `url`; asserts it was created and returns it. */
export async function createRecord(
  url: (path: string) => string,
  label: string,
  text = label,
): Promise<DomainRecord> {
  const res = await fetch(url(CREATE.path), {
    method: CREATE.method,
    headers: JSON_HEADERS,
    body: createBody(label, text),
  });
  assert.equal(res.status, CREATE.status, await res.clone().text());
  return (await res.json()) as DomainRecord;
}

/** The field of a record's uploaded file (an image), in the API and the form. */
export const FILE_FIELD = 'image';

/** POSTs a record with a file as multipart, as the form and the API take it; the raw answer. */
export function postRecordWithFile(
  url: (path: string) => string,
  label: string,
  file: { name: string; type: string; data: Buffer },
): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(recordBody(label))) form.set(key, String(value));
  form.set(FILE_FIELD, new Blob([file.data], { type: file.type }), file.name);
  return fetch(url(CREATE.path), { method: CREATE.method, body: form });
}

/** The URLs of a record's stored files (the image and its thumbnail), none without one. */
export function fileUrlsOf(record: DomainRecord): string[] {
  return record.image ? [record.image.url, record.image.thumbnail.url] : [];
}

/** The secret link to a created record's original upload, from the create answer's body. */
export function originalUrlOf(created: unknown): string {
  const url = (created as { originalUrl?: unknown }).originalUrl;
  assert.equal(typeof url, 'string', 'the create answer names the original');
  return url as string;
}

/** Where the app writes uploads in its container (APP_MEDIA_ROOT in compose.yaml). */
export const MEDIA_DIR = '/srv/media';

/** The page that shows the records and names the hashed assets. */
export const PAGE_PATH = '/';

/** What the page's heading says, and the same as a pattern for its HTML. */
export const PAGE_HEADING = 'Guestbook';
export const PAGE_HEADING_HTML = /<h1>Guestbook<\/h1>/;

/** The page's form, as a browser fills it, and where the posted record shows. */
export const FORM = {
  /** The field a browser types the label into, and the one for the text. */
  labelField: '#author',
  textField: '#message',
  submit: 'form[action="/entries"] button[type=submit]',
  /** The URL the page redirects to after a post. */
  posted: /[?&]posted=1/,
  /** One shown record, and its label inside it. */
  record: '.entry',
  recordLabel: '.entry-author',
  /** The file input, and a shown record's picture. */
  fileField: '#image',
  recordImage: '.entry-image img',
} as const;

/** The database table that holds the records (the migrations created it). */
export const TABLE = 'entries';

/** The file name of the page's picture (screenshots, the README's image). */
export const PICTURE = 'guestbook.png';
