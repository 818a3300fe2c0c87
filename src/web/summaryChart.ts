import { labels } from '../incidents/labels';
import { SEVERITIES, type Severity } from '../incidents/queueFilter';
import type { IndexCounts } from '../index/incidentIndex';

const COLORS: Record<Severity, string> = { high: '#b3261e', medium: '#b35c00', low: '#2b6cb0', informational: '#4a5568', unknown: '#718096' };

export interface ChartBar {
  severity: Severity;
  label: string;
  count: number;
  hidden: boolean;
  color: string;
  x: number;
  width: number;
}

/**
 * Bars for the summary strip, drawn by the template as inline SVG with presentation attributes only
 * (no style attributes, which the CSP would block). Every bar carries its number as text, so the
 * chart does not depend on colour.
 */
export function summaryChart(counts: IndexCounts, shown: Severity[], width = 360): { bars: ChartBar[]; total: number; width: number } {
  const count = (s: Severity) => counts.bySeverity[s] ?? 0;
  const total = SEVERITIES.reduce((n, s) => n + count(s), 0);
  let x = 0;
  const bars = SEVERITIES.filter((s) => count(s) > 0).map((s) => {
    const w = total ? Math.max(2, Math.round((count(s) / total) * width)) : 0;
    const bar = { severity: s, label: labels.severity(s), count: count(s), hidden: !shown.includes(s), color: COLORS[s], x, width: w };
    x += w;
    return bar;
  });
  return { bars, total, width };
}
