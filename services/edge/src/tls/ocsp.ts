/**
 * OCSP for stapling (RFC 6960, RFC 6066 §8): the responder a leaf names, a
 * request for it, and the answer checked before anyone is shown it. The
 * protocol is `pkijs`'s, loaded by the primary only and only once a
 * certificate names a responder; nothing here is written by hand but the
 * fetch and the rules of what may be stapled.
 */
import * as pkijs from 'pkijs';

const AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
const AD_OCSP = '1.3.6.1.5.5.7.48.1';
const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const GOOD = 0;
const STATUS_NAMES = ['good', 'revoked', 'unknown'];

/** A response the edge may staple: verified, for this leaf, `good`, fresh now. */
export interface Staple {
  readonly der: Buffer;
  readonly thisUpdate: Date;
  /** When the responder says to ask again; none: the edge's own refresh interval. */
  readonly nextUpdate: Date | null;
}

export interface Pair {
  readonly leaf: pkijs.Certificate;
  readonly issuer: pkijs.Certificate;
  readonly url: string;
}

function certificatesOf(chainPem: string): pkijs.Certificate[] {
  const blocks = chainPem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) =>
    pkijs.Certificate.fromBER(Buffer.from(block.replace(/-----[^-]+-----|\s/g, ''), 'base64')),
  );
}

/**
 * The leaf's OCSP responder and its issuer; null when the leaf names no
 * http responder (an internal CA's leaf, most private CAs). A chain without
 * the issuer is an error: the request names the issuer's name and key, as
 * nginx's `ssl_stapling` needs them too.
 */
export function stapleTarget(chainPem: string): Pair | null {
  const [leaf, ...rest] = certificatesOf(chainPem);
  if (leaf === undefined) return null;
  const aia = leaf.extensions?.find((e) => e.extnID === AUTHORITY_INFO_ACCESS);
  const access = (aia?.parsedValue as pkijs.InfoAccess | undefined)?.accessDescriptions ?? [];
  // Only http: RFC 6960 Appendix A is OCSP over HTTP; an https responder would need a trust anchor of its own.
  const url = access
    .filter((d) => d.accessMethod === AD_OCSP && d.accessLocation.type === 6)
    .map((d) => String(d.accessLocation.value))
    .find((u) => u.startsWith('http://'));
  if (url === undefined) return null;
  const issuer = rest.find((c) => c.subject.isEqual(leaf.issuer));
  if (issuer === undefined) {
    throw new Error('the chain holds no issuer certificate after the leaf (use the full chain)');
  }
  return { leaf, issuer, url };
}

/** Asks the responder and checks the answer; rejects with the reason it may not be stapled. */
export async function fetchStaple(
  target: Pair,
  timeoutMs: number,
  now = new Date(),
): Promise<Staple> {
  const request = new pkijs.OCSPRequest();
  await request.createForCertificate(target.leaf, {
    hashAlgorithm: 'SHA-1', // RFC 5019 §2.1.1: what every responder answers
    issuerCertificate: target.issuer,
  });
  const res = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
    body: new Uint8Array(request.toSchema(true).toBER()),
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
  });
  if (res.status !== 200)
    throw new Error(`the responder ${target.url} answered HTTP ${res.status}`);
  const der = Buffer.from(await res.arrayBuffer());
  return checkResponse(der, target, now);
}

/**
 * What nginx's `ssl_stapling_verify` checks: a successful basic response,
 * signed by the issuer or a responder it delegated to, about this leaf,
 * `good`, and current. A `revoked` answer is never stapled: the edge logs
 * it and staples nothing, as nginx does.
 */
export async function checkResponse(der: Buffer, target: Pair, now: Date): Promise<Staple> {
  let response: pkijs.OCSPResponse;
  try {
    response = pkijs.OCSPResponse.fromBER(der);
  } catch {
    throw new Error('the responder sent something that is not an OCSP response');
  }
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0) throw new Error(`the responder refused the request (OCSP status ${status})`);
  if (response.responseBytes?.responseType !== OCSP_BASIC) {
    throw new Error('the responder sent a response type other than basic');
  }
  const basic = pkijs.BasicOCSPResponse.fromBER(
    response.responseBytes.response.valueBlock.valueHexView,
  );
  const verified = await basic
    .verify({ trustedCerts: [target.issuer] })
    .catch((error: Error) => Promise.reject(new Error(`its signature: ${error.message}`)));
  if (!verified) throw new Error('its signature is not the issuer’s or a delegated responder’s');
  const { isForCertificate, status: certStatus } = await basic.getCertificateStatus(
    target.leaf,
    target.issuer,
  );
  if (!isForCertificate) throw new Error('the response is about another certificate');
  if (certStatus !== GOOD) {
    throw new Error(
      `the responder says the certificate is ${STATUS_NAMES[certStatus] ?? 'unknown'}`,
    );
  }
  const single = basic.tbsResponseData.responses.find((r) =>
    r.certID.serialNumber.isEqual(target.leaf.serialNumber),
  );
  const thisUpdate = single?.thisUpdate ?? now;
  const nextUpdate = single?.nextUpdate ?? null;
  // Five minutes of clock skew either way, as browsers allow.
  const skewMs = 5 * 60_000;
  if (thisUpdate.getTime() > now.getTime() + skewMs)
    throw new Error('the response is not valid yet');
  if (nextUpdate !== null && nextUpdate.getTime() < now.getTime() - skewMs) {
    throw new Error(`the response expired at ${nextUpdate.toISOString()}`);
  }
  return { der, thisUpdate, nextUpdate };
}
