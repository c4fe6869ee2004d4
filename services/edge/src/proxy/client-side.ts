/**
 * The client's side of an exchange (exchange.ts): its response's 'close'
 * and 'drain' as shared listeners that find their exchange on the response,
 * so a request adds no closures, and the error the upstream request is
 * aborted with when the client leaves first.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';

const kExchange = Symbol('edge.exchange');

/** What the listeners need of an exchange. */
export interface ClientSide {
  readonly req: { readonly httpVersionMajor: number };
  /** The whole answer was handed to the client's response. */
  readonly ended: boolean;
  readonly controller: Dispatcher.DispatchController | null;
  clientClosed(): void;
}

interface ProxiedResponse extends ServerResponse {
  [kExchange]?: ClientSide;
}

export class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientGoneError';
  }
}

/** Ties `exchange` to the client's response: a close before the answer ended aborts it. */
export function watchClient(res: ServerResponse, exchange: ClientSide): void {
  (res as ProxiedResponse)[kExchange] = exchange;
  res.on('close', onResponseClose);
}

/** Resumes the upstream body once the client took what was written (after a `write` said wait). */
export function resumeOnDrain(res: ServerResponse): void {
  res.on('drain', onResponseDrain);
}

function onResponseClose(this: ProxiedResponse): void {
  const exchange = this[kExchange];
  if (exchange === undefined || exchange.ended) return;
  // An h2 stream the client cancelled reads as writableFinished (its
  // writable side torn down with it): there only the exchange's own flag
  // says the answer went out. Missed, the upstream request stayed paused
  // on a write that would never drain, holding its connection for good.
  if (this.writableFinished && exchange.req.httpVersionMajor !== 2) return;
  exchange.clientClosed();
}

function onResponseDrain(this: ProxiedResponse): void {
  this[kExchange]?.controller?.resume();
}
