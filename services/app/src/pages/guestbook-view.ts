import { html } from 'ghtml';
import type { StoredImage } from '../entries/repository.ts';
import { AUTHOR_MAX_CHARS, MESSAGE_MAX_CHARS } from '../entries/schemas.ts';
import { IMAGE_KINDS } from '../media/kinds.ts';
import { MEDIA_URL_PREFIX } from '../media/service.ts';
import { type AssetUrl, layout } from './layout.ts';

export interface EntryView {
  id: number;
  author: string;
  message: string;
  /** ISO 8601, as the API returns it. */
  createdAt: string;
  image: StoredImage | null;
}

type Field = 'author' | 'message';

/** What the form shows back after a failed post: the values as typed, and why. */
export interface FormState {
  values: Record<Field, string>;
  errors: Partial<Record<Field | 'image', string>>;
}

const ACCEPTED_TYPES = Object.values(IMAGE_KINDS)
  .map((kind) => kind.mime)
  .join(',');

export interface GuestbookPageInput {
  asset: AssetUrl;
  csrfToken: string;
  entries: EntryView[];
  /** Cursor of the next (older) page, if any. */
  nextCursor: string | null;
  /** True when this is not the first page, so a link back to the newest is shown. */
  paged: boolean;
  form?: FormState;
  notice?: string;
}

const EMPTY_FORM: FormState = { values: { author: '', message: '' }, errors: {} };

// Times render in UTC so the HTML is the same for every visitor (and
// cacheable by nobody but them); app.js rewrites them to the local zone.
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

function entryItem(entry: EntryView, csrfToken: string): string {
  const created = new Date(entry.createdAt);
  return html`<li class="entry" id="entry-${entry.id}">
<div class="entry-meta"><span class="entry-author">${entry.author}</span>
<time class="entry-time" datetime="${entry.createdAt}">${dateFormat.format(created)} UTC</time></div>
<p class="entry-message">${entry.message}</p>
!${entry.image ? entryImage(entry.image, entry.author) : ''}
<div class="entry-actions">
<form method="post" action="/entries/${entry.id}/delete" data-confirm="Delete this entry?">
<input type="hidden" name="_csrf" value="${csrfToken}">
<button type="submit" class="button button-danger button-small">Delete<span class="visually-hidden"> the entry by ${entry.author}</span></button>
</form>
</div>
</li>`;
}

// The client's file name is shown only as escaped text (the alt and title).
function entryImage(image: StoredImage, author: string): string {
  return html`<a class="entry-image" href="${MEDIA_URL_PREFIX + image.path}" title="${image.name}">
<img src="${MEDIA_URL_PREFIX + image.thumbPath}" width="${image.thumbWidth}" height="${image.thumbHeight}" alt="Image posted by ${author}: ${image.name}" loading="lazy">
</a>`;
}

function field(
  name: Field | 'image',
  label: string,
  control: string,
  error: string | undefined,
): string {
  return html`<div class="field!${error ? ' field-invalid' : ''}">
<label for="${name}">${label}</label>
!${control}
!${error ? html`<p class="field-error" id="${name}-error">${error}</p>` : ''}
</div>`;
}

function postForm(csrfToken: string, { values, errors }: FormState): string {
  // Only a field with an error points at it: aria-describedby naming a
  // missing id is an accessibility error.
  const invalid = (name: Field) =>
    errors[name] ? html` aria-invalid="true" aria-describedby="${name}-error"` : '';
  const author = html`<input id="author" name="author" autocomplete="name" required maxlength="${AUTHOR_MAX_CHARS}" value="${values.author}"!${invalid('author')}>`;
  const message = html`<textarea id="message" name="message" rows="4" required maxlength="${MESSAGE_MAX_CHARS}"!${invalid('message')}>${values.message}</textarea>`;
  const imageInvalid = errors.image
    ? html` aria-invalid="true" aria-describedby="image-error"`
    : '';
  const image = html`<input type="file" id="image" name="image" accept="${ACCEPTED_TYPES}"!${imageInvalid}>
<img class="image-preview" id="image-preview" alt="" hidden>`;
  // novalidate: the server's messages are the ones shown, with or without script.
  // multipart: the file input; without script the form posts it as is.
  return html`<section class="card" aria-labelledby="form-title">
<h2 id="form-title">Sign the guestbook</h2>
<form method="post" action="/entries" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="${csrfToken}">
!${field('author', 'Name', author, errors.author)}
!${field('message', 'Message', message, errors.message)}
!${field('image', 'Image (optional: PNG, JPEG, WebP, GIF or AVIF)', image, errors.image)}
<div class="form-actions"><button type="submit" class="button">Post</button></div>
</form>
</section>`;
}

function pagination(paged: boolean, nextCursor: string | null): string {
  const newest = paged ? html`<a href="/" rel="prev">← Newest</a>` : html`<span>← Newest</span>`;
  const older = nextCursor
    ? html`<a href="/?cursor=${encodeURIComponent(nextCursor)}" rel="next">Older →</a>`
    : html`<span>Older →</span>`;
  return html`<nav class="pagination" aria-label="Pages">!${newest}!${older}</nav>`;
}

export function guestbookPage(input: GuestbookPageInput): string {
  const { entries, csrfToken } = input;
  const form = input.form ?? EMPTY_FORM;
  const hasErrors = Object.keys(form.errors).length > 0;
  const list =
    entries.length > 0
      ? html`<ol class="entries">!${entries.map((entry) => entryItem(entry, csrfToken)).join('\n')}</ol>`
      : html`<p class="empty">No entries yet. Be the first to sign.</p>`;
  const main = html`<h1>Guestbook</h1>
!${hasErrors ? html`<p class="alert alert-error" role="alert">Please correct the fields marked below.</p>` : ''}
!${input.notice ? html`<p class="alert alert-success" role="status">${input.notice}</p>` : ''}
!${postForm(csrfToken, form)}
<section aria-labelledby="entries-title">
<h2 id="entries-title">Entries</h2>
!${list}
!${pagination(input.paged, input.nextCursor)}
</section>`;
  return layout({ title: 'Guestbook', asset: input.asset, main });
}
