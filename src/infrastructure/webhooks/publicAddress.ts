import { BlockList, isIP } from 'node:net';

/**
 * Addresses no webhook may reach in live mode (WEBHOOKS.md): loopback, private, link-local, and
 * the other ranges that lead into the operator's own network (unspecified, CGNAT, unique local,
 * multicast, IPv4 carried in IPv6).
 */
const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

const mappedIpv4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** True for an address a request into the operator's network could use. */
export const isInternalAddress = (address: string): boolean => {
  const mapped = mappedIpv4.exec(address)?.[1];
  if (mapped !== undefined) return isInternalAddress(mapped);
  const family = isIP(address);
  if (family === 0) return true;
  return internal.check(address, family === 4 ? 'ipv4' : 'ipv6');
};
