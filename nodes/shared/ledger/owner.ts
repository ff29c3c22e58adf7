import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

import type { LedgerOwner } from './types';

/** Tells this process apart from an earlier one with the same pid (containers restart as pid 1, 7, ...). */
const INCARNATION = randomUUID();

/** This process, as recorded on a lease or a staged batch. */
export function currentOwner(): LedgerOwner {
	return `${hostname()}/${process.pid}/${INCARNATION}`;
}

/**
 * Whether the process that recorded `owner` is certainly gone: it ran on this host and its pid no
 * longer exists, or now belongs to this process but to a new incarnation. A process on another
 * host is never declared gone (its lease or batch runs out by time instead).
 */
export function ownerIsGone(owner: LedgerOwner | null | undefined): boolean {
	if (!owner) return true;
	const [host, pidText, incarnation] = owner.split('/');
	const pid = Number(pidText);
	if (host !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
	if (pid === process.pid) return incarnation !== INCARNATION;
	try {
		process.kill(pid, 0);
		return false;
	} catch (error) {
		return (error as { code?: string }).code === 'ESRCH';
	}
}
