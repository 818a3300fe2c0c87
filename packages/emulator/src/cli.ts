import type { ListOrder } from './context';
import { defaultRedirectUris } from './directory';
import { startEmulator } from './index';

/** `npm run emulator`: the emulator on fixed ports, for running the app by hand against it. */
async function main(): Promise<void> {
  const emu = await startEmulator({
    httpsPort: Number(process.env.EMULATOR_HTTPS_PORT ?? 4443),
    httpPort: Number(process.env.EMULATOR_HTTP_PORT ?? 4080),
    redirectUris: defaultRedirectUris(process.env.EMULATOR_APP_BASE_URL ?? 'http://localhost:3000'),
    listOrder: (process.env.EMULATOR_LIST_ORDER as ListOrder | undefined) || undefined,
    pageSize: process.env.EMULATOR_PAGE_SIZE ? Number(process.env.EMULATOR_PAGE_SIZE) : undefined,
  });
  const listing = await emu.control.incidents.listing();
  const app = await emu.control.app.registration();
  console.log(`ThreatDesk emulator of Microsoft Entra ID, Microsoft Graph (security incidents) and the Defender API
  authority (msal, HTTPS):  ${emu.urls.authorityHost}/organizations/
  browser pages (HTTP):      ${emu.urls.browserBase}
  Graph base (HTTPS):        ${emu.urls.graphBase} (append /v1.0/security/incidents)
  Defender API base (HTTPS): ${emu.urls.defenderBase}
  listing:                   order ${listing.order}, page size ${listing.pageSize ?? 'Graph 50 / Defender 100'}
  CA certificate to trust:   ${emu.caFile}
  client id / secret:        ${app.clientId} / ${app.clientSecret}
  control (tests, demos):    ${emu.urls.browserBase}/_emulator/ and ${emu.urls.authorityHost}/_emulator/ (see packages/emulator/README.md)
Point ThreatDesk at it with AUTHORITY_HOST=${emu.urls.authorityHost} GRAPH_API_BASE=${emu.urls.graphBase} DEFENDER_API_BASE=${emu.urls.defenderBase} EMULATOR_CA_FILE=${emu.caFile}
Ctrl-C stops it.`);
  const stop = () => void emu.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  console.error('emulator failed to start:', err);
  process.exit(1);
});
