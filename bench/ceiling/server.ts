import { readFileSync } from 'node:fs';
import http from 'node:http';
import express from 'express';
import { formatter } from '../../src/i18n/format';
import { DEFAULT_LANGUAGE, translatorFor } from '../../src/i18n/i18n';
import { labels } from '../../src/incidents/labels';
import type { Incident } from '../../src/incidents/model';
import { DEFAULT_FILTER, serializeFilter, type Sort } from '../../src/incidents/queueFilter';
import { DEFAULT_SLA, parseSlaTargets, slaOf } from '../../src/incidents/sla';
import { queueRowOf } from '../../src/incidents/view';
import { EXTRA_COLUMN_NAMES } from '../../src/web/pages/queueViews';

/**
 * The ceiling of the queue page (bench/queue.ts): a bare Express + EJS app rendering the same
 * 50-row table as views/incidents.ejs (queue.ejs holds a copy of that table's template, the same
 * columns, markup and helpers), from incidents held in memory. No index, no session, no security
 * headers, no request log: what is left is Express routing one request and EJS rendering the table.
 *
 * Run by bench/queue.ts as a child process of its own (`node --import tsx bench/ceiling/server.ts`,
 * NODE_ENV=production so Express caches the compiled template), with BENCH_CEILING_ROWS naming a
 * JSON file of Incident objects and PORT the port.
 */
// Held as the queue's rows, as ThreatDesk's index stores them.
const rows = (JSON.parse(readFileSync(process.env.BENCH_CEILING_ROWS ?? '', 'utf8')) as Incident[]).map(queueRowOf);
const filter = DEFAULT_FILTER;
const query = serializeFilter(filter);

/** The same links the queue's column headers carry (a click sorts by the column, or turns its direction). */
const sortHref = (sort: Sort) => {
  const q = serializeFilter({ ...filter, sort, dir: filter.sort === sort && filter.dir === 'desc' ? 'asc' : 'desc', page: 1 });
  return q ? `/incidents?${q}` : '/incidents';
};

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.set('view engine', 'ejs');
app.set('views', __dirname);
app.set('view cache', true);
app.get('/healthz', (_req, res) => {
  res.type('text/plain').send('ok');
});
// The SLA badges, as ThreatDesk works them out for each page (an unassigned incident the index read once counts from its creation).
const targets = parseSlaTargets(DEFAULT_SLA);
// The table's words and times, as ThreatDesk's locale middleware gives them to an English reader in UTC.
const locale = { lang: DEFAULT_LANGUAGE, t: translatorFor(DEFAULT_LANGUAGE), intl: formatter({ lang: DEFAULT_LANGUAGE, timeZone: 'UTC' }) };
app.get('/incidents', (_req, res) => {
  const now = Date.now();
  res.render('queue', { rows: rows.map((r) => ({ ...r, sla: slaOf({ ...r, unassignedSince: r.assignedTo === '' ? r.createdAt : null }, targets, now) })), filter, query, sortHref, labels, columnNames: EXTRA_COLUMN_NAMES, ...locale });
});

const server = http.createServer(app);
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
