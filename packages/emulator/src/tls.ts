import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
}

/**
 * A fresh self-signed certificate for the loopback names. msal-node refuses non-https authorities,
 * so the back channel needs TLS; clients trust exactly this certificate (passed as a CA file),
 * never by turning verification off.
 */
export async function generateTls(): Promise<TlsMaterial> {
  const pems = await generate([{ name: 'commonName', value: 'ThreatDesk emulator (localhost)' }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 30 * 24 * 3600 * 1000),
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
