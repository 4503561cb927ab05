/**
 * The session settings under which Electric renders values as text (protocol §9). Both the
 * snapshot queries and the replication connection use them, so a value reads the same whichever
 * way it reached a shape.
 */
export const DISPLAY_SETTINGS: Readonly<Record<string, string>> = {
  bytea_output: 'hex',
  DateStyle: 'ISO, DMY',
  TimeZone: 'UTC',
  extra_float_digits: '1',
  IntervalStyle: 'iso_8601',
  // The where-clause validator reads string literals this way; a session reading backslashes
  // differently would see a different expression than the one validated.
  standard_conforming_strings: 'on',
};

/** The settings as libpq startup `options` (-c name=value, spaces escaped), for whole pools. */
export const displaySettingsOptions = (): string =>
  Object.entries(DISPLAY_SETTINGS)
    .map(([name, value]) => `-c ${name}=${value.replace(/ /g, '\\ ')}`)
    .join(' ');
