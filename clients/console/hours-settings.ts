import { h } from '../web/dom';
import { ApiError, type BusinessHoursBody, type TimeRangeBody } from '../web/http-api';
import type { SettingsContext, SettingsSection } from './settings-screen';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Day = (typeof DAYS)[number];
const RANGE = /^(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/;
const CLOSED = /^(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?(?:\s+(.+))?$/;

/** A weekday's name in the reader's language (2024-01-01 was a Monday). */
function dayName(locale: string, index: number): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + index)));
}

function zones(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...known.filter((zone) => zone !== 'UTC')];
}

class InputError extends Error {}

export function formatRanges(ranges: readonly TimeRangeBody[] | undefined): string {
  return (ranges ?? []).map((range) => `${range.from}-${range.to}`).join(', ');
}

export function parseRanges(text: string, complain: (text: string) => string): TimeRangeBody[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = RANGE.exec(part);
      if (!match) throw new InputError(complain(part));
      return { from: match[1]!, to: match[2]! };
    });
}

export function parseClosed(text: string, complain: (text: string) => string): BusinessHoursBody['closed'] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const match = CLOSED.exec(line);
      if (!match) throw new InputError(complain(line));
      return { from: match[1]!, ...(match[2] ? { to: match[2] } : {}), ...(match[3] ? { label: match[3].trim() } : {}) };
    });
}

function formatClosed(closed: BusinessHoursBody['closed']): string {
  return closed.map((entry) => [entry.to ? `${entry.from}..${entry.to}` : entry.from, entry.label ?? ''].join(' ').trim()).join('\n');
}

/** Business hours per skill and `_default`: weekly ranges, zone, closed dates, widget behaviour, away notice. */
export function mountHoursSettings(container: HTMLElement, context: SettingsContext): void {
  const { t, locale } = context;
  const skill = h('input', { name: 'skill', value: '_default', required: true, 'aria-label': t('hoursSkill') });
  const zone = h(
    'select',
    { name: 'timeZone', 'aria-label': t('hoursTimeZone') },
    ...zones().map((name) => h('option', { value: name }, name)),
  );
  const days = new Map<Day, HTMLInputElement>(
    DAYS.map((day, index) => [day, h('input', { name: `day-${day}`, 'aria-label': dayName(locale, index), placeholder: '—' })]),
  );
  const closed = h('textarea', { name: 'closed', rows: 4, 'aria-label': t('hoursClosed') });
  const behaviour = h(
    'select',
    { name: 'behaviour', 'aria-label': t('hoursBehaviour') },
    h('option', { value: 'queue' }, t('behaviourQueue')),
    h('option', { value: 'form' }, t('behaviourForm')),
    h('option', { value: 'hide' }, t('behaviourHide')),
  );
  const messageEn = h('input', { name: 'offHoursMessage-en', maxlength: 500 });
  const messageZh = h('input', { name: 'offHoursMessage-zh-CN', maxlength: 500 });
  const status = h('p', { class: 'settings-status', role: 'status' });

  const show = (text: string, error = false) => {
    status.textContent = text;
    status.classList.toggle('error', error);
  };
  const fill = (hours: BusinessHoursBody | null) => {
    zone.value = hours?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
    for (const [day, input] of days) input.value = formatRanges(hours?.weekly[day]);
    closed.value = formatClosed(hours?.closed ?? []);
    behaviour.value = hours?.behaviour ?? 'queue';
    messageEn.value = hours?.offHoursMessage?.en ?? '';
    messageZh.value = hours?.offHoursMessage?.['zh-CN'] ?? '';
    show(hours ? '' : t('hoursNone'));
  };
  const failed = (error: unknown) => show(error instanceof Error ? error.message : String(error), true);
  // A load replaces every field: they are disabled meanwhile, so nothing typed is lost, and only
  // the latest load may fill them (an earlier, slower answer is for another skill).
  let loads = 0;
  const editable = h('fieldset', { class: 'settings-fields' });
  const load = async () => {
    const current = ++loads;
    editable.disabled = true;
    try {
      const hours = await context.withToken((token) => context.api.hours(token, skill.value.trim()));
      if (current === loads) fill(hours);
    } catch (error) {
      if (current === loads) failed(error);
    } finally {
      if (current === loads) editable.disabled = false;
    }
  };
  const collect = (): BusinessHoursBody => {
    const badRange = (text: string) => t('hoursBadRange', { text });
    const weekly = Object.fromEntries([...days].map(([day, input]) => [day, parseRanges(input.value, badRange)]));
    const offHoursMessage = {
      ...(messageEn.value.trim() ? { en: messageEn.value.trim() } : {}),
      ...(messageZh.value.trim() ? { 'zh-CN': messageZh.value.trim() } : {}),
    };
    return {
      timeZone: zone.value,
      weekly,
      closed: parseClosed(closed.value, (text) => t('hoursBadDate', { text })),
      behaviour: behaviour.value as BusinessHoursBody['behaviour'],
      ...(Object.keys(offHoursMessage).length > 0 ? { offHoursMessage } : {}),
    };
  };
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      const hours = collect();
      fill(await context.withToken((token) => context.api.saveHours(token, skill.value.trim(), hours)));
      show(t('saved'));
    } catch (error) {
      // The API's message says what is wrong (e.g. an unknown zone, too many ranges).
      failed(error instanceof ApiError || error instanceof InputError ? error : new Error(String(error)));
    }
  };

  const label = (text: string, control: HTMLElement) => h('label', {}, h('span', {}, text), control);
  container.replaceChildren(
    h('h3', {}, t('hoursTitle')),
    h('p', {}, t('hoursIntro')),
    h(
      'form',
      { class: 'hours-form', onsubmit: (event: Event) => void save(event) },
      h(
        'div',
        { class: 'row' },
        label(t('hoursSkill'), skill),
        h('button', { type: 'button', class: 'secondary', onclick: () => void load() }, t('hoursLoad')),
      ),
      editable,
      status,
    ),
  );
  editable.append(
    label(t('hoursTimeZone'), zone),
    h(
      'fieldset',
      {},
      h('legend', {}, t('hoursWeekly')),
      h('p', { class: 'hint' }, t('hoursRangesHint')),
      ...DAYS.map((day, index) => label(dayName(locale, index), days.get(day)!)),
    ),
    label(t('hoursClosed'), closed),
    h('p', { class: 'hint' }, t('hoursClosedHint')),
    label(t('hoursBehaviour'), behaviour),
    label(t('offHoursMessageEn'), messageEn),
    label(t('offHoursMessageZh'), messageZh),
    h('button', { type: 'submit' }, t('save')),
  );
  fill(null);
  void load();
}

export const HOURS_SECTION: SettingsSection = { id: 'hours', title: (t) => t('hoursTitle'), mount: mountHoursSettings };
