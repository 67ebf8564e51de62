import forge from 'node-forge';

const { asn1 } = forge;

// OIDs of RFC 7292 (PKCS#12) and RFC 2315 (PKCS#7) used below.
const oids = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  pbeWithSha1And40BitRc2Cbc: '1.2.840.113549.1.12.1.6',
  sha1: '1.3.14.3.2.26',
};

const iterations = 2048;

const seq = (items: forge.asn1.Asn1[]): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (value: string): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
const octets = (bytes: string): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const integer = (value: number): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
const explicit0 = (item: forge.asn1.Asn1): forge.asn1.Asn1 =>
  asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [item]);
const der = (item: forge.asn1.Asn1): string => asn1.toDer(item).getBytes();

/** The PKCS#12 key derivation (RFC 7292 appendix B) with SHA-1; id 1 key, 2 IV, 3 MAC key. */
const derive = (password: string, salt: string, id: 1 | 2 | 3, length: number): string =>
  forge.pkcs12
    .generateKey(password, forge.util.createBuffer(salt), id, iterations, length)
    .getBytes();

/** ContentInfo of type data wrapping DER bytes (PKCS#7). */
const dataContentInfo = (content: string): forge.asn1.Asn1 =>
  seq([oid(oids.data), explicit0(octets(content))]);

/**
 * The cert bag encrypted the way old OpenSSL and WeChat's certificate tool do it:
 * pbeWithSHA1And40BitRC2-CBC, key and IV from the PKCS#12 KDF (ids 1 and 2) over the password.
 * forge can read this but its toPkcs12Asn1 cannot write it, hence this assembly.
 */
const rc2EncryptedContentInfo = (content: string, password: string): forge.asn1.Asn1 => {
  const salt = forge.random.getBytesSync(8);
  const key = derive(password, salt, 1, 5);
  const iv = derive(password, salt, 2, 8);
  const cipher = forge.rc2.createEncryptionCipher(key, 40);
  cipher.start(iv);
  cipher.update(forge.util.createBuffer(content));
  if (!cipher.finish()) throw new Error('RC2 encryption failed');
  const algorithm = seq([
    oid(oids.pbeWithSha1And40BitRc2Cbc),
    seq([octets(salt), integer(iterations)]),
  ]);
  const encryptedContentInfo = seq([
    oid(oids.data),
    algorithm,
    // encryptedContent [0] IMPLICIT OCTET STRING
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, cipher.output.getBytes()),
  ]);
  return seq([oid(oids.encryptedData), explicit0(seq([integer(0), encryptedContentInfo]))]);
};

export type LegacyPkcs12Input = { certPem: string; keyPem: string; password: string };

/**
 * A PKCS#12 file exactly in the legacy shape of WeChat's apiclient_cert.p12: the certificate bag
 * encrypted with pbeWithSHA1And40BitRC2-CBC, the key in a shrouded key bag with
 * pbeWithSHA1And3-KeyTripleDES-CBC, and a SHA-1 MAC. OpenSSL 3 (Node 17+) refuses it without its
 * legacy provider, which is the point: the sandbox hands clients the same problem as production.
 */
export const writeLegacyPkcs12 = ({ certPem, keyPem, password }: LegacyPkcs12Input): Buffer => {
  const certificate = forge.pki.certificateFromPem(certPem);
  const privateKey = forge.pki.privateKeyFromPem(keyPem);
  const localKeyId = forge.md.sha1
    .create()
    .update(der(forge.pki.certificateToAsn1(certificate)))
    .digest()
    .getBytes();
  const bagAttributes = set([seq([oid(oids.localKeyId), set([octets(localKeyId)])])]);

  const certSafeBag = seq([
    oid(oids.certBag),
    explicit0(
      seq([
        oid(oids.x509Certificate),
        explicit0(octets(der(forge.pki.certificateToAsn1(certificate)))),
      ]),
    ),
    bagAttributes,
  ]);
  const keySafeBag = seq([
    oid(oids.pkcs8ShroudedKeyBag),
    explicit0(
      forge.pki.encryptPrivateKeyInfo(
        forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(privateKey)),
        password,
        { algorithm: '3des', count: iterations, saltSize: 8 },
      ),
    ),
    bagAttributes,
  ]);

  const authenticatedSafe = seq([
    rc2EncryptedContentInfo(der(seq([certSafeBag])), password),
    dataContentInfo(der(seq([keySafeBag]))),
  ]);
  const authenticatedSafeDer = der(authenticatedSafe);

  const macSalt = forge.random.getBytesSync(8);
  const macKey = derive(password, macSalt, 3, 20);
  const hmac = forge.hmac.create();
  hmac.start('sha1', macKey);
  hmac.update(authenticatedSafeDer);
  const macData = seq([
    seq([
      seq([oid(oids.sha1), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]),
      octets(hmac.digest().getBytes()),
    ]),
    octets(macSalt),
    integer(iterations),
  ]);

  const pfx = seq([integer(3), dataContentInfo(authenticatedSafeDer), macData]);
  return Buffer.from(der(pfx), 'binary');
};
