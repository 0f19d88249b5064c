import uPlot from 'uplot';
import { clear, h } from '../web/dom';
import type { HttpApi, Report, ReportLine } from '../web/http-api';
import type { Translate } from '../web/i18n';

export interface ReportsViewContext {
  readonly t: Translate;
  readonly api: HttpApi;
  readonly withToken: <T>(call: (token: string) => Promise<T>) => Promise<T>;
  readonly back: () => void;
}

/** The default range: the last seven UTC days, today included. */
const DEFAULT_DAYS = 7;
const DAY_MS = 86_400_000;
const utcDay = (time: number) => new Date(time).toISOString().slice(0, 10);
const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
const duration = (ms: number | null) =>
  ms === null ? '–' : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 6000) / 10} min`;

/**
 * Supervisors' and admins' Reports view (docs/reports.md): a UTC date range; charts of the
 * volume, wait and first-response p50/p90 and CSAT per day (uPlot); tables per agent and per
 * skill; the per-day CSV; an agent's ratings with their comments.
 */
export class ReportsView {
  readonly element: HTMLElement;
  private readonly from: HTMLInputElement;
  private readonly to: HTMLInputElement;
  private readonly status: HTMLElement;
  private readonly charts: HTMLElement;
  private readonly agents: HTMLElement;
  private readonly skills: HTMLElement;
  private readonly ratings: HTMLElement;
  private plots: uPlot[] = [];

  constructor(private readonly context: ReportsViewContext) {
    const { t } = context;
    const today = Date.now();
    this.from = h('input', { type: 'date', name: 'from', value: utcDay(today - (DEFAULT_DAYS - 1) * DAY_MS), required: true });
    this.to = h('input', { type: 'date', name: 'to', value: utcDay(today), required: true });
    this.status = h('p', { class: 'settings-status', role: 'status' });
    this.charts = h('div', { class: 'report-charts' });
    this.agents = h('div', { class: 'report-table', 'data-report': 'agent' });
    this.skills = h('div', { class: 'report-table', 'data-report': 'skill' });
    this.ratings = h('div', { class: 'report-ratings', 'aria-live': 'polite' });
    const form = h(
      'form',
      { class: 'report-range' },
      h('label', {}, t('reportFrom'), ' ', this.from),
      h('label', {}, t('reportTo'), ' ', this.to),
      h('button', { type: 'submit' }, t('reportLoad')),
      h(
        'button',
        { type: 'button', class: 'secondary', 'data-action': 'csv', onclick: () => void this.downloadCsv() },
        t('reportDownloadCsv'),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.load();
    });
    this.element = h(
      'section',
      { class: 'reports', 'aria-labelledby': 'reports-title' },
      h(
        'div',
        { class: 'team-head' },
        h('h2', { id: 'reports-title', tabindex: -1 }, t('reports')),
        h('button', { type: 'button', class: 'secondary', onclick: () => context.back() }, t('backToConversations')),
      ),
      h('p', { class: 'report-note' }, t('reportsIntro')),
      form,
      this.status,
      this.charts,
      h('h3', {}, t('reportByAgent')),
      this.agents,
      h('h3', {}, t('reportBySkill')),
      this.skills,
      h('h3', {}, t('reportRatings')),
      this.ratings,
    );
    this.element.hidden = true;
  }

  show(): void {
    this.element.hidden = false;
    void this.load();
  }

  hide(): void {
    this.element.hidden = true;
  }

  private async load(): Promise<void> {
    const { t, api } = this.context;
    const from = this.from.value;
    const to = this.to.value;
    this.status.textContent = '';
    this.status.classList.remove('error');
    try {
      const [byDay, byAgent, bySkill] = await this.context.withToken((token) =>
        Promise.all([api.report(token, from, to, 'day'), api.report(token, from, to, 'agent'), api.report(token, from, to, 'skill')]),
      );
      this.drawCharts(byDay);
      this.drawTable(this.agents, byAgent, t('reportAgentColumn'), true);
      this.drawTable(this.skills, bySkill, t('reportSkillColumn'), false);
      clear(this.ratings);
    } catch (error) {
      this.status.textContent = t('reportFailed', { reason: error instanceof Error ? error.message : String(error) });
      this.status.classList.add('error');
    }
  }

  private drawCharts(report: Report): void {
    const { t } = this.context;
    for (const plot of this.plots) plot.destroy();
    this.plots = [];
    clear(this.charts);
    const xs = report.lines.map((line) => Date.parse(`${line.key}T00:00:00Z`) / 1000);
    const width = Math.max(320, Math.min(720, this.charts.clientWidth || 720));
    const chart = (title: string, kind: string, series: Array<{ label: string; stroke: string; values: Array<number | null> }>) => {
      const box = h('figure', { class: 'report-chart', 'data-chart': kind }, h('figcaption', {}, title));
      this.charts.append(box);
      this.plots.push(
        new uPlot(
          {
            width,
            height: 200,
            tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
            series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: true }))],
            axes: [{}, {}],
          },
          [xs, ...series.map((s) => s.values)] as uPlot.AlignedData,
          box,
        ),
      );
    };
    const lines = report.lines;
    const pick = (get: (line: ReportLine) => number | null) => lines.map(get);
    chart(t('reportVolume'), 'volume', [
      { label: t('reportStarted'), stroke: '#2563eb', values: pick((l) => l.started) },
      { label: t('reportAnswered'), stroke: '#16a34a', values: pick((l) => l.answered) },
      { label: t('reportAbandoned'), stroke: '#dc2626', values: pick((l) => l.abandonedInQueue) },
    ]);
    chart(t('reportTimes'), 'times', [
      { label: 'wait p50', stroke: '#2563eb', values: pick((l) => seconds(l.waitP50Ms)) },
      { label: 'wait p90', stroke: '#93c5fd', values: pick((l) => seconds(l.waitP90Ms)) },
      { label: 'first response p50', stroke: '#9333ea', values: pick((l) => seconds(l.firstResponseP50Ms)) },
      { label: 'first response p90', stroke: '#d8b4fe', values: pick((l) => seconds(l.firstResponseP90Ms)) },
    ]);
    chart(t('reportCsat'), 'csat', [{ label: t('reportCsatColumn'), stroke: '#ca8a04', values: pick((l) => l.csatAverage) }]);
  }

  private drawTable(into: HTMLElement, report: Report, firstColumn: string, withRatings: boolean): void {
    const { t } = this.context;
    const headers = [
      firstColumn,
      t('reportStarted'),
      t('reportAnswered'),
      t('reportAbandoned'),
      t('reportTickets'),
      t('reportMessages'),
      t('reportWait'),
      t('reportFirstResponse'),
      t('reportHandle'),
      t('reportCsatColumn'),
      ...(withRatings ? [''] : []),
    ];
    const row = (line: ReportLine, total: boolean) =>
      h(
        'tr',
        { 'data-key': line.key },
        h(total ? 'th' : 'td', { scope: total ? 'row' : undefined }, line.label),
        h('td', {}, String(line.started)),
        h('td', {}, String(line.answered)),
        h('td', {}, String(line.abandonedInQueue)),
        h('td', {}, String(line.tickets)),
        h('td', {}, String(line.messages)),
        h('td', {}, `${duration(line.waitP50Ms)} / ${duration(line.waitP90Ms)}`),
        h('td', {}, `${duration(line.firstResponseP50Ms)} / ${duration(line.firstResponseP90Ms)}`),
        h('td', {}, duration(line.handleAvgMs)),
        h('td', {}, line.csatAverage === null ? '–' : `${line.csatAverage} (${line.csatCount})`),
        withRatings && !total
          ? h(
              'td',
              {},
              h(
                'button',
                { type: 'button', class: 'secondary', 'data-ratings': line.key, onclick: () => void this.showRatings(line) },
                t('reportShowRatings'),
              ),
            )
          : withRatings
            ? h('td', {})
            : null,
      );
    clear(into);
    into.append(
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
        h('tbody', {}, ...report.lines.map((line) => row(line, false))),
        h('tfoot', {}, row(report.totals, true)),
      ),
    );
  }

  private async showRatings(line: ReportLine): Promise<void> {
    const { t, api } = this.context;
    const page = await this.context.withToken((token) => api.ratings(token, line.key));
    clear(this.ratings);
    this.ratings.append(
      h('h4', {}, line.label),
      page.ratings.length === 0
        ? h('p', {}, t('reportNoRatings'))
        : h(
            'ul',
            { 'data-ratings-of': line.key },
            ...page.ratings.map((rating) =>
              h(
                'li',
                {},
                h('strong', {}, `${'★'.repeat(rating.score)}${'☆'.repeat(5 - rating.score)}`),
                ' ',
                rating.comment ?? '',
                ' ',
                h('small', {}, `${rating.at.slice(0, 10)} · ${rating.skill}`),
              ),
            ),
          ),
    );
  }

  private async downloadCsv(): Promise<void> {
    const { api } = this.context;
    const from = this.from.value;
    const to = this.to.value;
    const csv = await this.context.withToken((token) => api.reportCsv(token, from, to, 'day'));
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const link = h('a', { href: url, download: `parley-report-${from}-${to}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
