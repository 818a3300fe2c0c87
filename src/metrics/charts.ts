import { formatter } from '../i18n/format';
import { currentLocale, intl, t } from '../i18n/i18n';
import { labels } from '../incidents/labels';
import { AGE_BUCKETS, METRIC_SEVERITIES, type Durations, type Metrics } from './metrics';

/**
 * The metrics' charts as shapes (views/partials/chart.ejs draws them as inline SVG with
 * presentation attributes only: the CSP allows no style attribute). Every chart has a data table
 * beside it on the page, which is what screen readers read; the SVG is labelled as a picture.
 */

export interface Chart {
  /** What the picture shows, in one sentence (its accessible name). */
  label: string;
  width: number;
  height: number;
  rects: { x: number; y: number; width: number; height: number; fill: string }[];
  lines: { x1: number; y1: number; x2: number; y2: number; stroke: string; dash: boolean }[];
  texts: { x: number; y: number; text: string; anchor: 'start' | 'middle' | 'end' }[];
  /** A polyline's points ("x,y x,y …"), when the chart has one. */
  polyline?: string;
}

const SEVERITY_FILL: Record<string, string> = { high: '#b3261e', medium: '#b35c00', low: '#2b6cb0', informational: '#4a5568' };
const MEDIAN_FILL = '#2b6cb0';
const P90_FILL = '#90cdf4';
const TARGET_STROKE = '#b3261e';
const AXIS_STROKE = '#718096';

/**
 * "45 min", "3 h 10 min", "2 d 4 h": what the page shows for a duration, in the reader's language.
 * From the catalogue rather than Intl: Intl's short units ("3 hr") are not what the page has always said.
 */
export function durationText(ms: number | null): string {
  if (ms === null) return '—';
  const fmt = intl();
  const n = (v: number) => fmt.number(v);
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return t('metrics:duration.minutes', { minutes: n(minutes) });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? t('metrics:duration.hoursMinutes', { hours: n(hours), minutes: n(minutes % 60) }) : t('metrics:duration.hours', { hours: n(hours) });
  const days = Math.floor(hours / 24);
  return hours % 24 ? t('metrics:duration.daysHours', { days: n(days), hours: n(hours % 24) }) : t('metrics:duration.days', { days: n(days) });
}

/**
 * A day of a period, in the reader's language but always in UTC: periods are UTC days, and an instant
 * just before midnight UTC would fall on the next day in a zone east of it.
 */
export const utcDay = (at: number): string => formatter({ lang: currentLocale().lang, timeZone: 'UTC' }).date(at);

/** An age bucket's name (metrics.ts: AGE_BUCKETS), for the backlog's chart and table. */
export const ageLabel = (bucket: string): string => t(`metrics:age.${bucket}`);

const LABEL_W = 110;
const ROW_H = 34;

/** Median and 90th percentile per severity, as bars, and each severity's SLA target as a dashed red mark. */
export function durationChart(what: string, figures: Record<string, Durations>, width = 560): Chart {
  const rows = METRIC_SEVERITIES.map((s) => ({ s, d: figures[s] as Durations }));
  const max = Math.max(1, ...rows.flatMap(({ d }) => [d.p90 ?? 0, d.median ?? 0, d.target ?? 0])) * 1.05;
  const plot = width - LABEL_W - 10;
  const x = (v: number) => LABEL_W + Math.round((v / max) * plot);
  const chart: Chart = { label: t('metrics:chart.duration', { what }), width, height: rows.length * ROW_H + 46, rects: [], lines: [], texts: [] };
  rows.forEach(({ s, d }, i) => {
    const top = i * ROW_H + 4;
    chart.texts.push({ x: LABEL_W - 6, y: top + 17, text: labels.severity(s), anchor: 'end' });
    if (d.median !== null) chart.rects.push({ x: LABEL_W, y: top, width: Math.max(1, x(d.median) - LABEL_W), height: 12, fill: MEDIAN_FILL });
    if (d.p90 !== null) chart.rects.push({ x: LABEL_W, y: top + 14, width: Math.max(1, x(d.p90) - LABEL_W), height: 12, fill: P90_FILL });
    if (d.target !== null) chart.lines.push({ x1: x(d.target), y1: top - 2, x2: x(d.target), y2: top + 28, stroke: TARGET_STROKE, dash: true });
  });
  const base = rows.length * ROW_H + 4;
  chart.lines.push({ x1: LABEL_W, y1: base, x2: width - 10, y2: base, stroke: AXIS_STROKE, dash: false });
  chart.texts.push({ x: LABEL_W, y: base + 16, text: intl().number(0), anchor: 'start' }, { x: width - 10, y: base + 16, text: durationText(max), anchor: 'end' });
  // The legend, under the axis.
  const key = base + 34;
  chart.rects.push({ x: LABEL_W, y: key - 10, width: 12, height: 12, fill: MEDIAN_FILL }, { x: LABEL_W + 90, y: key - 10, width: 12, height: 12, fill: P90_FILL });
  chart.lines.push({ x1: LABEL_W + 236, y1: key - 12, x2: LABEL_W + 236, y2: key + 3, stroke: TARGET_STROKE, dash: true });
  chart.texts.push(
    { x: LABEL_W + 16, y: key, text: t('metrics:chart.median'), anchor: 'start' },
    { x: LABEL_W + 106, y: key, text: t('metrics:chart.p90'), anchor: 'start' },
    { x: LABEL_W + 242, y: key, text: t('metrics:chart.target'), anchor: 'start' },
  );
  return chart;
}

/** Open incidents by age, each bar split by severity. */
export function backlogChart(m: Metrics, width = 560): Chart {
  const max = Math.max(1, ...m.backlog.map((b) => b.total));
  const plot = width - LABEL_W - 60;
  const chart: Chart = { label: t('metrics:chart.backlog'), width, height: AGE_BUCKETS.length * ROW_H, rects: [], lines: [], texts: [] };
  m.backlog.forEach((b, i) => {
    const top = i * ROW_H + 6;
    chart.texts.push({ x: LABEL_W - 6, y: top + 15, text: ageLabel(b.bucket), anchor: 'end' });
    let x = LABEL_W;
    for (const s of METRIC_SEVERITIES) {
      const w = Math.round(((b.bySeverity[s] ?? 0) / max) * plot);
      if (w > 0) chart.rects.push({ x, y: top, width: w, height: 20, fill: SEVERITY_FILL[s] as string });
      x += w;
    }
    chart.texts.push({ x: x + 6, y: top + 15, text: intl().number(b.total), anchor: 'start' });
  });
  return chart;
}

/** Open incidents at the end of each day. */
export function trendChart(m: Metrics, width = 560, height = 140): Chart {
  const max = Math.max(1, ...m.trend.map((p) => p.open));
  const left = 40;
  const plotW = width - left - 10;
  const plotH = height - 30;
  const n = m.trend.length;
  const px = (i: number) => left + (n === 1 ? plotW : Math.round((i / (n - 1)) * plotW));
  const py = (v: number) => 6 + plotH - Math.round((v / max) * plotH);
  const day = (at: number) => utcDay(at - 1);
  const fmt = intl();
  const num = (v: number) => fmt.number(v);
  return {
    label: t('metrics:chart.trend'),
    width,
    height,
    rects: [],
    lines: [
      { x1: left, y1: 6 + plotH, x2: width - 10, y2: 6 + plotH, stroke: AXIS_STROKE, dash: false },
      { x1: left, y1: 6, x2: left, y2: 6 + plotH, stroke: AXIS_STROKE, dash: false },
    ],
    texts: [
      { x: left - 4, y: 14, text: num(max), anchor: 'end' },
      { x: left - 4, y: 6 + plotH, text: num(0), anchor: 'end' },
      { x: left, y: height - 4, text: day(m.trend[0]?.at ?? m.period.to), anchor: 'start' },
      { x: width - 10, y: height - 4, text: day(m.period.to), anchor: 'end' },
    ],
    polyline: m.trend.map((p, i) => `${px(i)},${py(p.open)}`).join(' '),
  };
}
