/** Dates and values as a technician reads them: local time, short, "Today 14:00" where it helps. */

const DAY_MS = 86_400_000;

const startOfDay = (d: Date): number => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** Whole calendar days from `now`'s day to `date`'s day (negative in the past). */
export const calendarDaysBetween = (now: Date, date: Date): number =>
  Math.round((startOfDay(date) - startOfDay(now)) / DAY_MS);

const time = (d: Date, locale?: string) =>
  d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "Today 14:00", "Tomorrow 09:00", "Yesterday 17:30", "Mon 12 Jan 14:00", "12 Jan 2025". */
export function formatWhen(iso: string | null, now: Date, locale?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const days = calendarDaysBetween(now, d);
  if (days === 0) return `Today ${time(d, locale)}`;
  if (days === 1) return `Tomorrow ${time(d, locale)}`;
  if (days === -1) return `Yesterday ${time(d, locale)}`;
  if (d.getFullYear() === now.getFullYear())
    return `${d.toLocaleDateString(locale, { weekday: 'short', day: 'numeric', month: 'short' })} ${time(d, locale)}`;
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** "just now", "5 min ago", "3 h ago", then the date. */
export function formatAgo(iso: string | null, now: Date, locale?: string): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  const ms = now.getTime() - d.getTime();
  if (Number.isNaN(ms)) return iso;
  if (ms < 45_000) return 'just now';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 12 * 3_600_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return formatWhen(iso, now, locale);
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A value from a conflict or rejection, shown in a table cell. */
export function formatFieldValue(value: unknown, locale?: string): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  // Timestamps cross as ISO text; show them as a person reads a date.
  if (typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))
    return new Date(value).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

export const formatCount = (n: number, locale?: string): string => n.toLocaleString(locale);

/** "1 task", "3,965 tasks". */
export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** A message as a sentence, so another can follow it ("…refused" → "…refused."). */
export const asSentence = (message: string): string =>
  /[.!?…]$/.test(message.trim()) ? message.trim() : `${message.trim()}.`;

/** "45 min", "2 h", "1 h 30 min". */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** "512 B", "1.4 KB", "23 MB": file sizes as people read them (1 KB = 1024 B). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
