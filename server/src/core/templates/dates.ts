// The create date of a new revision the way Alembic computes and prints it: local wall-clock time
// by default, or the wall-clock time in the `timezone` option of alembic.ini (printed with its
// UTC offset, as Python prints an aware datetime).

export interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Offset from UTC in minutes, only when a timezone was asked for (Python's aware datetime). */
  offsetMinutes?: number;
  /** Seconds since the epoch, Alembic's `%(epoch)s`. */
  epoch: number;
}

/**
 * Breaks an instant into the fields Alembic uses. `timezone` is an IANA name (`UTC`,
 * `Europe/Paris`), as `timezone = ...` in alembic.ini; absent means local time.
 */
export function dateParts(now: Date, timezone?: string): DateParts {
  const epoch = Math.floor(now.getTime() / 1000);
  if (!timezone) {
    return {
      year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate(),
      hour: now.getHours(), minute: now.getMinutes(), second: now.getSeconds(),
      millisecond: now.getMilliseconds(), epoch,
    };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    throw new Error(`unknown timezone '${timezone}' (from the timezone option of the Alembic configuration)`);
  }
  const fields: Record<string, number> = {};
  for (const part of format.formatToParts(now)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const get = (name: string): number => fields[name] ?? 0;
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offsetMinutes = Math.round((wall - (now.getTime() - now.getUTCMilliseconds())) / 60000);
  return {
    year: get('year'), month: get('month'), day: get('day'),
    hour: get('hour'), minute: get('minute'), second: get('second'),
    millisecond: now.getUTCMilliseconds(), offsetMinutes, epoch,
  };
}

/** Python's `str(datetime)`: `2024-05-01 09:08:07.123000`, microseconds only when not zero, offset when aware. */
export function pythonDateString(parts: DateParts): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  let text = `${String(parts.year).padStart(4, '0')}-${p2(parts.month)}-${p2(parts.day)} ` +
    `${p2(parts.hour)}:${p2(parts.minute)}:${p2(parts.second)}`;
  if (parts.millisecond !== 0) text += '.' + String(parts.millisecond * 1000).padStart(6, '0');
  if (parts.offsetMinutes !== undefined) {
    const sign = parts.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(parts.offsetMinutes);
    text += `${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
  }
  return text;
}
