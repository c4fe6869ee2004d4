/**
 * The one trimming rule for text fields, used by the JSON API and by the
 * forms: both trim before validating, so "   " fails `minLength` and every
 * length counts what is stored.
 */
import type { TObject } from 'typebox';

/** Trims, in place, every string property of `body` that `schema` declares. */
export function trimDeclaredStrings(schema: TObject, body: Record<string, unknown>): void {
  for (const key of Object.keys(schema.properties)) {
    const value = body[key];
    if (typeof value === 'string') body[key] = value.trim();
  }
}

/**
 * A route's `preValidation` hook trimming the JSON body `schema` describes.
 * A body that is not an object is left for the schema to refuse.
 */
export function trimBody(schema: TObject) {
  return async (request: { body: unknown }): Promise<void> => {
    const { body } = request;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      trimDeclaredStrings(schema, body as Record<string, unknown>);
    }
  };
}
