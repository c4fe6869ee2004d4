// Progressive enhancement for the guestbook. The page works without this
// file: the server validates, the delete form posts, times are shown in UTC.
// Load it as <script type="module" src="…"> (deferred, own scope, no inline
// script, so the page's CSP can forbid inline scripts).

/** A live "N characters left" under every textarea with a maxlength. */
function addCharacterCounters() {
  for (const field of document.querySelectorAll('textarea[maxlength]')) {
    const max = Number(field.getAttribute('maxlength'));
    if (!Number.isInteger(max) || max <= 0) continue;

    const counter = document.createElement('p');
    counter.className = 'field-counter';
    counter.id = `${field.id || field.name}-counter`;
    // Announced politely, and only near the limit: a screen reader user does
    // not want a number read out on every keystroke.
    const announcer = document.createElement('span');
    announcer.className = 'visually-hidden';
    announcer.setAttribute('aria-live', 'polite');

    const anchor = field.parentElement?.querySelector('.field-hint') ?? field;
    anchor.after(counter, announcer);
    const describedBy = field.getAttribute('aria-describedby');
    field.setAttribute(
      'aria-describedby',
      describedBy ? `${describedBy} ${counter.id}` : counter.id,
    );

    let lastAnnounced = '';
    const update = () => {
      const left = max - field.value.length;
      counter.textContent = left === 1 ? '1 character left' : `${left} characters left`;
      counter.dataset.state = left <= 0 ? 'over' : left <= 20 ? 'near' : 'ok';
      const message = left <= 0 ? 'Character limit reached' : left <= 20 ? counter.textContent : '';
      if (message !== lastAnnounced) {
        announcer.textContent = message;
        lastAnnounced = message;
      }
    };
    field.addEventListener('input', update);
    update();
  }
}

/** Asks before a form with data-confirm="…" (the delete button) is sent. */
function confirmDangerousForms() {
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const question = form.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
}

/**
 * Ignores a second submit of the same form while the first is in flight (a
 * double click would post the entry twice). The button is not disabled,
 * because a disabled button's name/value would drop out of the form data.
 */
function preventDoubleSubmit() {
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (form.dataset.submitting === 'true') {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = 'true';
    for (const button of form.querySelectorAll('button[type="submit"], button:not([type])')) {
      button.setAttribute('aria-disabled', 'true');
    }
  });
  // Coming back with the back button restores the page from cache: let the
  // form be used again.
  window.addEventListener('pageshow', () => {
    for (const form of document.querySelectorAll('form[data-submitting]')) {
      delete form.dataset.submitting;
      for (const button of form.querySelectorAll('[aria-disabled="true"]')) {
        button.removeAttribute('aria-disabled');
      }
    }
  });
}

/** Shows each <time datetime="…"> in the visitor's own time zone and language. */
function localiseTimes() {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  for (const time of document.querySelectorAll('time[datetime]')) {
    const date = new Date(time.getAttribute('datetime') ?? '');
    if (Number.isNaN(date.getTime())) continue;
    time.title = time.textContent ?? '';
    time.textContent = format.format(date);
  }
}

/**
 * A preview of the chosen image under the file input, from a blob: URL (the
 * page's CSP allows blob: images for this): nothing is uploaded before the
 * form is posted, and without script the form posts the file all the same.
 */
function previewImages() {
  for (const input of document.querySelectorAll('input[type="file"]')) {
    const preview = document.getElementById(`${input.id}-preview`);
    if (!(preview instanceof HTMLImageElement)) continue;
    input.addEventListener('change', () => {
      if (preview.src) URL.revokeObjectURL(preview.src);
      const [file] = input.files ?? [];
      if (!file?.type.startsWith('image/')) {
        preview.hidden = true;
        preview.removeAttribute('src');
        return;
      }
      preview.src = URL.createObjectURL(file);
      preview.alt = `Preview of ${file.name}`;
      preview.hidden = false;
    });
  }
}

// Registered first, so it runs before preventDoubleSubmit sees the event.
confirmDangerousForms();
preventDoubleSubmit();
addCharacterCounters();
previewImages();
localiseTimes();
