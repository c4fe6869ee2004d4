import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorBody, errorHtml, prefersHtml } from '../src/index.ts';

test('browsers get HTML, API clients and curl get JSON', () => {
  const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  assert.equal(prefersHtml(browser), true);
  assert.equal(prefersHtml(undefined), false);
  assert.equal(prefersHtml('*/*'), false);
  assert.equal(prefersHtml('application/json'), false);
  assert.equal(prefersHtml('application/json, text/html'), false, 'JSON wins a tie');
  assert.equal(prefersHtml('text/html;q=0.5, application/json;q=0.9'), false);
  assert.equal(prefersHtml('text/html;q=0.9, application/json;q=0.5'), true);
});

test('the HTML error page carries the same facts, escaped', () => {
  const html = errorHtml(errorBody(502, 'upstream_unreachable', '<b>down</b>', 'req-"1234"'));
  assert.match(html, /502 &lt;b&gt;down&lt;\/b&gt;/);
  assert.match(html, /upstream_unreachable/);
  assert.match(html, /req-&quot;1234&quot;/);
  assert.doesNotMatch(html, /<script/);
});
