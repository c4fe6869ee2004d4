/**
 * Container healthcheck with no curl in the image: exit 0 when the URL
 * answers 2xx within the timeout, 1 otherwise (Docker reads only the code).
 * As docker/awesome-compose's react-express-mysql/backend/healthcheck.js.
 *
 *   node docker/healthcheck.ts http://127.0.0.1:3000/readyz
 */
const url = process.argv[2];
if (!url) {
  console.error('usage: node docker/healthcheck.ts URL');
  process.exit(1);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) console.error(`${url}: ${response.status}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`${url}: ${(error as Error).message}`);
  process.exit(1);
}
