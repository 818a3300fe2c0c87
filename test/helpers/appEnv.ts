import { defaultRedirectUris, type Emulator } from '@threatdesk/emulator';

/**
 * The environment that points ThreatDesk at an emulator, as an operator would set it: nothing but
 * configuration tells the two apart. Registers the app's redirect URIs for `baseUrl` first.
 * `SECURITY_API` follows TEST_SECURITY_API (graph by default), so the suite can run on either adapter.
 */
export async function appEnvFor(emu: Emulator, baseUrl: string): Promise<Record<string, string>> {
  const { clientId, clientSecret } = await emu.control.app.addRedirectUris(defaultRedirectUris(baseUrl));
  return {
    TENANT: 'organizations',
    CLIENT_ID: clientId,
    CLIENT_SECRET: clientSecret,
    BASE_URL: baseUrl,
    AUTHORITY_HOST: emu.urls.authorityHost,
    SECURITY_API: process.env.TEST_SECURITY_API === 'defender' ? 'defender' : 'graph',
    GRAPH_API_BASE: emu.urls.graphBase,
    DEFENDER_API_BASE: emu.urls.defenderBase,
    EXTRA_CA_FILE: emu.caFile,
  };
}
