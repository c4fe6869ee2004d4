/**
 * The whole edge (buildEdge: fast path, Fastify, the proxy dispatch) in
 * front of real loopback upstreams: what these tests add to `../proxy/`,
 * which proves the proxy module alone behind a plain node:http server.
 */
import type { TestContext } from 'node:test';
import type { EdgeConfig, EdgeDependencies } from '../../src/edge.ts';
import { makeStaticRoot, type RunningEdge, startEdge, testConfig } from '../helpers.ts';

export {
  type Reply,
  readBody,
  send,
  sleep,
  slowClient,
  startUpstream,
  until,
} from '../proxy/helpers.ts';

/** The edge on 127.0.0.1:0 with a static root, proxying to `upstream`. */
export async function startProxyingEdge(
  t: TestContext,
  upstream: string,
  overrides: Partial<EdgeConfig> = {},
  deps: Omit<EdgeDependencies, 'logger'> = {},
): Promise<RunningEdge> {
  const { root } = await makeStaticRoot(t);
  const running = await startEdge(
    t,
    testConfig(root, { upstream: new URL(upstream), healthIntervalMs: 0, ...overrides }),
    deps,
  );
  await running.edge.proxy.ready;
  return running;
}

/** The access-log lines of proxied requests (they carry `upstream`). */
export function proxiedLines(lines: Record<string, unknown>[]): Record<string, unknown>[] {
  return lines.filter((line) => 'upstream' in line);
}
