/**
 * The PostgreSQL 17 container every test and the bench start, configured for
 * a throwaway server. Two departures from @testcontainers/postgresql's
 * defaults, both measured on the 2-core CI machine:
 * - Readiness is checked while it starts, not for its whole life. The
 *   library's default is a Docker health check every 250 ms; each one is a
 *   `docker exec` (dockerd, containerd, a shim, runc, a shell), and over a
 *   unit run they took about as much CPU as the tests themselves.
 * - No fsync, as PostgreSQL's "Non-Durable Settings" advise for data you
 *   can lose: every test file creates and drops a database. Commits still
 *   reach the kernel before they are acknowledged, so a killed or restarted
 *   container recovers all of them (only a host crash could lose some).
 */
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { Wait } from 'testcontainers';

// Seeded on these machines; never pulled.
const IMAGE = 'postgres:17';

// The library's own readiness probe: TCP on localhost, which the entrypoint's
// temporary init-time server (Unix socket only) never answers.
const READY = 'pg_isready --host localhost --username test --dbname test';

export function postgresContainer(): PostgreSqlContainer {
  return (
    new PostgreSqlContainer(IMAGE)
      .withCommand(['postgres', '-c', 'fsync=off'])
      .withWaitStrategy(Wait.forAll([Wait.forSuccessfulCommand(READY), Wait.forListeningPorts()]))
      // Set so the library adds none of its own; first run after an hour.
      .withHealthCheck({
        test: ['CMD-SHELL', READY],
        interval: 3_600_000,
        timeout: 5_000,
        retries: 3,
      })
  );
}
