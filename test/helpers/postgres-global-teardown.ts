/** Jest globalTeardown: stops the cluster test/helpers/postgres-global-setup.ts started and removes its folder. */
export default async function teardown(): Promise<void> {
	await globalThis.visualAiTestPostgres?.stop();
	globalThis.visualAiTestPostgres = undefined;
}
