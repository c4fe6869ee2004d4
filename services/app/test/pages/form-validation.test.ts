import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import { NewEntry, newEntryMessages } from '../../src/entries/schemas.ts';
import { formValidator } from '../../src/pages/form-validation.ts';
import { testApp } from '../helpers/app.ts';

// No database: validation answers before any query, and a valid body gets
// as far as the (unreachable) pool, 503.

const readEntryForm = formValidator(NewEntry, newEntryMessages);

const cases: { name: string; author: string; message: string }[] = [
  {
    name: 'trimmed, at the limits in code points',
    author: ` ${'é'.repeat(80)} `,
    message: '🙂'.repeat(2000),
  },
  { name: 'blank name', author: '   ', message: 'hi' },
  { name: 'empty message', author: 'Ada', message: '' },
  { name: 'name one code point too long', author: 'é'.repeat(81), message: 'hi' },
  { name: 'message one emoji too long', author: 'Ada', message: '🙂'.repeat(2001) },
  { name: 'whitespace around a too-long name', author: `\t${'x'.repeat(81)}\n`, message: 'hi' },
];

test('the form accepts exactly what POST /api/entries accepts', async (t) => {
  const app = testApp(t);
  for (const { name, author, message } of cases) {
    const api = await app.inject({
      method: 'POST',
      url: '/api/entries',
      payload: { author, message },
    });
    const form = readEntryForm({ author, message, _csrf: 'token' });
    assert.equal(
      form.ok,
      api.statusCode !== 400,
      `${name}: API ${api.statusCode}, form ${form.ok}`,
    );
    if (form.ok) assert.equal(api.statusCode, 503, name);
  }
});

test('a valid form gives the trimmed value and nothing else', () => {
  const form = readEntryForm({ author: '  Ada ', message: '\tHello\n', _csrf: 'token' });
  assert.deepEqual(form, { ok: true, value: { author: 'Ada', message: 'Hello' } });
});

test('each invalid field gets its message; the values come back as typed', () => {
  const form = readEntryForm({ author: '   ', message: '🙂'.repeat(2001) });
  assert.equal(form.ok, false);
  if (form.ok) return;
  assert.deepEqual(form.errors, {
    author: 'Please enter your name.',
    message: 'Your message can be at most 2000 characters.',
  });
  assert.deepEqual(form.values, { author: '   ', message: '🙂'.repeat(2001) });
});

test('a field missing, posted twice or not an object body counts as empty', () => {
  for (const body of [{ message: 'hi' }, { author: ['a', 'b'], message: 'hi' }]) {
    const form = readEntryForm(body);
    assert.equal(form.ok, false);
    if (!form.ok) assert.deepEqual(form.errors, { author: 'Please enter your name.' });
  }
  const none = readEntryForm(undefined);
  assert.equal(none.ok, false);
  if (!none.ok) assert.deepEqual(Object.keys(none.errors).sort(), ['author', 'message']);
});

test('a rule without a message of its own falls back to the field, then to a generic one', () => {
  const check = formValidator(
    Type.Object({
      code: Type.String({ pattern: '^[a-z]+$' }),
      name: Type.String({ minLength: 2 }),
    }),
    { code: { invalid: 'Lowercase letters only.' }, name: {} },
  );
  const form = check({ code: 'A1', name: 'x' });
  assert.equal(form.ok, false);
  if (!form.ok) {
    assert.deepEqual(form.errors, {
      code: 'Lowercase letters only.',
      name: 'Please check this field.',
    });
  }
});
