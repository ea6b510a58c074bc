/**
 * The simulator's own PKI, made at start-up as a real cluster's is at install time: a CA (inline in
 * the kubeconfig as certificate-authority-data) and a serving certificate for IP 127.0.0.1 and DNS
 * localhost, so that kubectl and client-node verify the server as they would a real one.
 *
 * Keys come from node:crypto (fast, native); node-forge only builds and signs the X.509 certificates.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface SimulatorCertificates {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; privatePem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const fkey = forge.pki.privateKeyFromPem(privatePem);
  return { privateKey: fkey, publicKey: forge.pki.setRsaPublicKey(fkey.n, fkey.e), privatePem };
}

function serial(): string {
  // A positive serial: clear the top bit.
  const b = randomBytes(16);
  b[0]! &= 0x7f;
  return b.toString('hex');
}

export function makeCertificates(): SimulatorCertificates {
  const ca = keyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.publicKey;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = new Date(Date.now() - 60_000);
  caCert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  const caSubject = [{ name: 'commonName', value: 'fleetgraph-sim-ca' }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = server.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());

  return {
    caCertPem: forge.pki.certificateToPem(caCert),
    serverCertPem: forge.pki.certificateToPem(cert),
    serverKeyPem: server.privatePem,
  };
}
