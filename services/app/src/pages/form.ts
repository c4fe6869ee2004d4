import { AUTHOR_MAX_CHARS, MESSAGE_MAX_CHARS } from '../entries/schemas.ts';
import type { FormState } from './guestbook-view.ts';

export type EntryForm =
  | { ok: true; author: string; message: string }
  | { ok: false; state: FormState };

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Characters as PostgreSQL and the API's schema count them: code points, not UTF-16 units. */
function chars(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function check(value: string, max: number, empty: string, long: string): string | undefined {
  if (value.length === 0) return empty;
  if (chars(value) > max) return long;
  return undefined;
}

/**
 * Checks a posted guestbook form by the API's rules (trimmed, at most
 * AUTHOR_MAX_CHARS and MESSAGE_MAX_CHARS). A form answers with the page again,
 * keeping what was typed, so the messages are written for people, not as
 * JSON pointers.
 */
export function readEntryForm(body: unknown): EntryForm {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const values = { author: text(fields.author), message: text(fields.message) };
  const author = values.author.trim();
  const message = values.message.trim();
  const errors: FormState['errors'] = {};
  const authorError = check(
    author,
    AUTHOR_MAX_CHARS,
    'Please enter your name.',
    `Your name can be at most ${AUTHOR_MAX_CHARS} characters.`,
  );
  const messageError = check(
    message,
    MESSAGE_MAX_CHARS,
    'Please write a message.',
    `Your message can be at most ${MESSAGE_MAX_CHARS} characters.`,
  );
  if (authorError) errors.author = authorError;
  if (messageError) errors.message = messageError;
  if (authorError || messageError) return { ok: false, state: { values, errors } };
  return { ok: true, author, message };
}
