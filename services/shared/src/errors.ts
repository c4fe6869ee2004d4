import Negotiator from 'negotiator';

/** The one error shape both services answer with (the root README, "Contracts between the containers"). */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  requestId: string;
  /** Only on validation errors (400): which input failed and why. */
  fields?: FieldError[];
}

export interface FieldError {
  /** Where the bad value was, as a JSON pointer into the input (`/limit`, `/items/0/name`). */
  field: string;
  message: string;
}

/** JSON schema of {@link ErrorBody}, for Fastify response schemas. */
export const errorBodySchema = {
  $id: 'ErrorBody',
  type: 'object',
  required: ['statusCode', 'code', 'message', 'requestId'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        additionalProperties: false,
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

export function errorBody(
  statusCode: number,
  code: string,
  message: string,
  requestId: string,
): ErrorBody {
  return { statusCode, code, message, requestId };
}

const MEDIA_TYPES = ['application/json', 'text/html'];

/**
 * True when the client prefers HTML to JSON. JSON wins ties, a missing
 * `Accept` and `*\/*`, so API clients and curl get JSON; browsers send
 * `text/html` explicitly and get a page.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  return new Negotiator({ headers: { accept } }).mediaType(MEDIA_TYPES) === 'text/html';
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * The small HTML page a browser gets instead of the JSON body: the same facts,
 * no external assets (the static files may be what is failing) and no script,
 * so it passes any CSP.
 */
export function errorHtml(body: ErrorBody): string {
  const title = `${body.statusCode} ${escapeHtml(body.message)}`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>${title}</h1>
<p>Error code <code>${escapeHtml(body.code)}</code>. Quote request id <code>${escapeHtml(body.requestId)}</code> when you report it.</p>
</body>
</html>
`;
}
