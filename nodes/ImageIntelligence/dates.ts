/*
 * Search's created-before/after filters are n8n date-time pickers; the API wants UNIX
 * milliseconds. The picker gives a wall-clock time without an offset ("2024-05-01T10:00:00"),
 * which n8n means in the workflow's time zone; expressions may give an ISO string with an
 * offset, a luxon DateTime, a Date or a number of milliseconds.
 */

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/;

/** A zone in a free-form date: Z, GMT/UTC/UT, a US zone name, or an offset after the time. */
const HAS_ZONE = /(?:\d[zZ]$|\b(?:GMT|UTC|UT|[ECMP][SD]T)\b|\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*[+-]\d{2}:?\d{2}\b)/i;

/** How far `timeZone` is ahead of UTC at the instant `utcMs`, in milliseconds. */
function zoneOffset(utcMs: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(utcMs));
	const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((part) => part.type === type)?.value ?? 0);
	const wallClock = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return wallClock - (utcMs - (((utcMs % 1000) + 1000) % 1000));
}

/** A wall-clock time in `timeZone` as UNIX milliseconds (the offset checked twice for DST edges). */
function fromWallClock(wallClockAsUtc: number, timeZone: string): number {
	const first = wallClockAsUtc - zoneOffset(wallClockAsUtc, timeZone);
	return wallClockAsUtc - zoneOffset(first, timeZone);
}

/** UNIX milliseconds of a date parameter; undefined when it is empty; NaN when it cannot be read. */
export function toEpochMs(value: unknown, timeZone: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
	if (value instanceof Date) return value.getTime();
	if (typeof value === 'object' && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
		return Number((value as { toMillis: () => unknown }).toMillis());
	}
	if (typeof value !== 'string') return Number.NaN;
	const text = value.trim();
	if (/^\d{10,}$/.test(text)) return Number(text);
	const local = LOCAL_TIME.exec(text);
	if (local) {
		const [, year, month, day, hour = '0', minute = '0', second = '0', millis = '0'] = local;
		const wallClock = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(millis.padEnd(3, '0')));
		try {
			return fromWallClock(wallClock, timeZone);
		} catch {
			return wallClock;
		}
	}
	const parsed = Date.parse(text);
	if (Number.isNaN(parsed) || HAS_ZONE.test(text)) return parsed;
	// Date.parse read a zone-less form ("04/11/2023 14:30") in the server's zone: take the wall
	// clock it read and place it in the workflow's zone instead.
	const read = new Date(parsed);
	const wallClock = Date.UTC(read.getFullYear(), read.getMonth(), read.getDate(), read.getHours(), read.getMinutes(), read.getSeconds(), read.getMilliseconds());
	try {
		return fromWallClock(wallClock, timeZone);
	} catch {
		return parsed;
	}
}
