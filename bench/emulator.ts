import { CONTOSO_ID, startEmulator } from '@threatdesk/emulator';
import { DefenderCaller, defenderToken } from '@threatdesk/emulator/testing';

/** The emulator itself at 100,000 incidents per tenant: start time, heap, and list timings. */
export async function benchEmulatorScale(): Promise<void> {
  const started = Date.now();
  const big = await startEmulator({ incidents: 100_000, quotas: { list: 1000, get: 1000 }, listOrder: 'lastUpdated' });
  const startMs = Date.now() - started;
  const api = new DefenderCaller(big);
  try {
    const token = await defenderToken(big, 'riley@contoso.example');
    const time = async (query: Record<string, string>, who = token) => {
      const t = Date.now();
      await api.list(who, query);
      return Date.now() - t;
    };
    const rows: [string, number][] = [
      ['first page of 100 (cold)', await time({ $top: '100' })],
      ['first page of 100 (warm)', await time({ $top: '100' })],
      ['last page ($skip=99,900)', await time({ $top: '100', $skip: '99900' })],
      ['filtered page', await time({ $top: '100', $filter: "status eq 'Active'" })],
      ['an analyst deep in the queue', await time({ $top: '50', $skip: '20000' }, await defenderToken(big, 'alex@contoso.example'))],
    ];
    console.log(`\nEmulator at ${(await big.control.incidents.count(CONTOSO_ID)).toLocaleString('en')} incidents per tenant (2 tenants): start ${startMs} ms, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`);
    console.log('| list call | ms |');
    console.log('|---|---:|');
    for (const [label, ms] of rows) console.log(`| ${label} | ${ms} |`);
  } finally {
    await api.close();
    await big.close();
  }
}
