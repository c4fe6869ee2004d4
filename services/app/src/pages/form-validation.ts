/**
 * Checks a posted HTML form with the JSON API's own TypeBox schema, so the
 * form and the API accept exactly the same input: the same trimming, the same
 * limits, counted in code points as PostgreSQL's char_length counts them.
 * Only the messages differ: the API names a JSON pointer, a form speaks to
 * the person who typed.
 */
import type { Static, TObject } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TValidationError } from 'typebox/error';
import { trimDeclaredStrings } from '../trim.ts';

export type FormField<T extends TObject> = keyof T['properties'] & string;

/** A field's message for each rule (JSON Schema keyword) it can break; `invalid` for any other. */
export type FieldMessages = Partial<Record<TValidationError['keyword'] | 'invalid', string>>;

export type FormMessages<T extends TObject> = Record<FormField<T>, FieldMessages>;

export type FormResult<T extends TObject> =
  | { ok: true; value: Static<T> }
  | {
      ok: false;
      /** The first broken rule of each invalid field, as its message. */
      errors: Partial<Record<FormField<T>, string>>;
      /** What was posted, untrimmed, for the form to show back. */
      values: Record<FormField<T>, string>;
    };

const FALLBACK = 'Please check this field.';

/**
 * A checker for forms posting `schema`'s fields, compiled once. A form posts
 * text only, so the schema's fields are text fields; one missing or posted
 * twice counts as empty. Other posted fields (the CSRF token) are ignored.
 */
export function formValidator<T extends TObject>(schema: T, messages: FormMessages<T>) {
  const validator = Compile(schema);
  const fields = Object.keys(schema.properties) as FormField<T>[];
  return (body: unknown): FormResult<T> => {
    const posted = (typeof body === 'object' && body !== null ? body : {}) as Record<
      string,
      unknown
    >;
    const values = {} as Record<FormField<T>, string>;
    for (const field of fields) {
      const value = posted[field];
      values[field] = typeof value === 'string' ? value : '';
    }
    const candidate: Record<string, unknown> = { ...values };
    trimDeclaredStrings(schema, candidate);
    if (validator.Check(candidate)) return { ok: true, value: candidate as Static<T> };
    const errors: Partial<Record<FormField<T>, string>> = {};
    for (const error of validator.Errors(candidate)) {
      // Flat objects only: a field's errors sit at "/<field>".
      const field = error.instancePath.slice(1) as FormField<T>;
      if (!fields.includes(field)) {
        throw new Error(`the form cannot show "${error.message}" at "${error.instancePath}"`);
      }
      const own = messages[field];
      errors[field] ??= own[error.keyword] ?? own.invalid ?? FALLBACK;
    }
    return { ok: false, errors, values };
  };
}
