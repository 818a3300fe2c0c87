import { randomBytes } from 'node:crypto';
import { loadConfig } from './config/config';
import { CONTOSO_ID, defaultRedirectUris, FABRIKAM_ID, startEmulator } from '@threatdesk/emulator';
import { startServer } from './server';

/**
 * `npm run demo`: the emulator and ThreatDesk together, configured as a multi-tenant app signing in
 * through `organizations`, with nothing to set up. `SESSION_STORE=redis` runs it on Redis.
 */
async function main(): Promise<void> {
  const appPort = Number(process.env.PORT ?? 3000);
  const baseUrl = `http://localhost:${appPort}`;
  const emu = await startEmulator({
    httpsPort: Number(process.env.EMULATOR_HTTPS_PORT ?? 4443),
    httpPort: Number(process.env.EMULATOR_HTTP_PORT ?? 4080),
    redirectUris: defaultRedirectUris(baseUrl),
  });
  const redis = process.env.SESSION_STORE === 'redis';
  const registration = await emu.control.app.registration();
  const api = process.env.SECURITY_API === 'defender' ? 'defender' : 'graph';
  const config = loadConfig({
    TENANT: 'organizations',
    CLIENT_ID: registration.clientId,
    CLIENT_SECRET: registration.clientSecret,
    BASE_URL: baseUrl,
    SESSION_SECRETS: randomBytes(32).toString('base64url'),
    AUTHORITY_HOST: emu.urls.authorityHost,
    SECURITY_API: api,
    GRAPH_API_BASE: emu.urls.graphBase,
    DEFENDER_API_BASE: emu.urls.defenderBase,
    EXTRA_CA_FILE: emu.caFile,
    PORT: String(appPort),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SESSION_STORE: redis ? 'redis' : 'memory',
    REDIS_URL: redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined,
    TOKEN_CACHE_KEYS: redis ? randomBytes(32).toString('base64') : undefined,
  });
  const app = await startServer(config);
  const users = await emu.control.users.list();
  const defenderRole = (u: (typeof users)[number]) =>
    u.defender.role === 'none' ? 'no Defender role' : `Defender ${u.defender.role}: ${u.defender.deviceGroups === '*' ? 'all device groups' : u.defender.deviceGroups.join(', ')}`;
  const describe = (tid: string) =>
    users
      .filter((u) => u.tenantId === tid)
      .map((u) => `    ${u.upn.padEnd(26)} ${u.entraRoles.join(', ') || 'no Entra security role'}; ${defenderRole(u)}`)
      .join('\n');
  console.log(`
ThreatDesk demo is running: open ${baseUrl}
(${api === 'graph' ? 'Microsoft Graph security API' : 'legacy Defender API (stops working on 1 February 2027)'}; sessions in ${redis ? 'Redis' : 'memory'}; Microsoft Entra ID and the APIs are emulated locally)

Sign in as any of these users (no password):
  Contoso (permissions already consented):
${describe(CONTOSO_ID)}
  Fabrikam (nothing consented; users cannot consent themselves — sign in as casey and use Admin consent first):
${describe(FABRIKAM_ID)}

Ctrl-C stops both.`);
  const stop = async () => {
    await app.shutdown(2_000);
    await emu.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error('The demo failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
