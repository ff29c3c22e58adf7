/**
 * Jest globalSetup: one throw-away PostgreSQL cluster for the whole run (scripts/lib/postgres.ts),
 * its URL in VISUAL_AI_TEST_POSTGRES for the workers; each test file makes its own database.
 * Fails, naming the package to install, when PostgreSQL is missing: these tests never skip.
 */
import { startPostgres } from '../../scripts/lib/postgres';
import type { PostgresCluster } from '../../scripts/lib/postgres';

declare global {
	var visualAiTestPostgres: PostgresCluster | undefined;
}

export default async function setup(): Promise<void> {
	const cluster = await startPostgres();
	globalThis.visualAiTestPostgres = cluster;
	process.env.VISUAL_AI_TEST_POSTGRES = cluster.url;
}
