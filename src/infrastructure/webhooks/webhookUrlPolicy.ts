import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { promisify } from 'node:util';
import { errorMessage } from '../../application/errorMessage.js';
import type { WebhookUrlPolicy } from '../../application/webhooks/webhookPorts.js';
import { isInternalAddress } from './publicAddress.js';

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

const lookupAll = promisify(dnsLookup);
const systemResolve: Resolve = (hostname) => lookupAll(hostname, { all: true });

/**
 * WEBHOOK_ALLOW_PRIVATE_URLS (DESIGN §4). When private URLs are not allowed, a URL must be https
 * and every address its host resolves to must be public; `lookup` is the resolver the requests
 * themselves use, which checks again what it hands to the socket, so a name that resolves to a
 * private address by the time of an attempt (DNS rebinding) is refused then.
 */
export const createWebhookUrlPolicy = ({
  allowPrivate,
  resolve = systemResolve,
}: {
  allowPrivate: boolean;
  resolve?: Resolve;
}): { check: WebhookUrlPolicy; lookup: LookupFunction | undefined } => {
  const publicAddresses = async (hostname: string): Promise<LookupAddress[]> => {
    const addresses = isIP(hostname)
      ? [{ address: hostname, family: isIP(hostname) }]
      : await resolve(hostname);
    if (addresses.length === 0) throw new Error(`${hostname} does not resolve`);
    const internal = addresses.find(({ address }) => isInternalAddress(address));
    if (internal) {
      throw new Error(
        `${hostname} resolves to ${internal.address}, a loopback, private or link-local address`,
      );
    }
    return addresses;
  };

  const check: WebhookUrlPolicy = async (text) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { ok: false, reason: 'not a URL' };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return { ok: false, reason: 'the URL must be http(s)' };
    }
    if (url.username !== '' || url.password !== '') {
      return { ok: false, reason: 'the URL must not carry credentials' };
    }
    if (allowPrivate) return { ok: true };
    if (url.protocol !== 'https:') return { ok: false, reason: 'the URL must be https' };
    try {
      await publicAddresses(url.hostname.replace(/^\[(.*)\]$/, '$1'));
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: errorMessage(error) };
    }
  };

  const lookup: LookupFunction = (hostname, options, callback) => {
    publicAddresses(hostname).then(
      (addresses) => {
        if (options.all) {
          callback(null, addresses);
          return;
        }
        const first = addresses[0];
        if (first) callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
    );
  };

  return { check, lookup: allowPrivate ? undefined : lookup };
};
