/**
 * `npm run sandbox [-- --port N]`: starts the provider sandbox and prints its base URLs and keys.
 * Options: --port N (or env SANDBOX_PORT; default 4010; 0 = any free port), --host H,
 * --hour-ms N, --latency-ms N, --map-bytes N, --eyequant-ms N, --pique-ms N, --ii-ms N,
 * --forge-ms-per-image N, --credits N.
 */
import { DEFAULT_PORT, SANDBOX_KEYS, startSandbox } from './server.ts';
import type { SandboxOptions } from './server.ts';

const NUMERIC_FLAGS: Record<string, keyof SandboxOptions> = {
	'--port': 'port',
	'--hour-ms': 'hourMs',
	'--latency-ms': 'latencyMs',
	'--map-bytes': 'mapBytes',
	'--eyequant-ms': 'eyeQuantProcessingMs',
	'--pique-ms': 'piqueProcessingMs',
	'--ii-ms': 'imageIntelligenceProcessingMs',
	'--forge-ms-per-image': 'imageForgeMsPerImage',
	'--credits': 'imageForgeCredits',
};

function parseArgs(argv: string[]): SandboxOptions {
	const options: Record<string, number | string> = {};
	const envPort = process.env.SANDBOX_PORT;
	if (envPort) options.port = Number(envPort);
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = inline ?? argv[++i];
		if (flag === '--help' || flag === '-h') {
			console.log('Usage: npm run sandbox -- [--port N] [--host H] [--hour-ms N] [--latency-ms N] [--map-bytes N] ...');
			process.exit(0);
		}
		if (flag === '--host' && value) {
			options.host = value;
			continue;
		}
		const key = NUMERIC_FLAGS[flag];
		const n = Number(value);
		if (!key || value === undefined || !Number.isFinite(n) || n < 0) {
			console.error(`Unknown or bad option: ${flag} ${value ?? ''}`.trim());
			process.exit(2);
		}
		options[key] = n;
	}
	return options as SandboxOptions;
}

function main(): void {
	const options = parseArgs(process.argv.slice(2));
	startSandbox({ port: DEFAULT_PORT, ...options }).then(
		(sandbox) => {
			const k = SANDBOX_KEYS;
			console.log(
				[
					`Provider sandbox listening on ${sandbox.url}`,
					'',
					'Base URLs (for the credentials):',
					`  EyeQuant            ${sandbox.baseUrls.eyeQuant}    API key: ${k.eyeQuant.apiKey}`,
					`  Image Intelligence  ${sandbox.baseUrls.imageIntelligence}    client id: ${k.imageIntelligence.clientId}  secret: ${k.imageIntelligence.clientSecret}`,
					`  Pique               ${sandbox.baseUrls.pique}    API key: ${k.pique.apiKey}`,
					`  Image Forge         ${sandbox.baseUrls.imageForge}    API key: ${k.imageForge.apiKey} (also ${k.imageForge.brokeKey}: 0 credits, ${k.imageForge.inactiveKey}: inactive)`,
					'',
					`Pique judges: video ${sandbox.judges.video}, image ${sandbox.judges.image}, audio ${sandbox.judges.audio}`,
					`Test files:   ${sandbox.url}/files/design.png  ${sandbox.url}/files/design.jpg  ${sandbox.url}/files/blank.png  ${sandbox.url}/files/not-an-image.txt`,
					`Control:      ${sandbox.url}/__sandbox/log  /__sandbox/faults  /__sandbox/advance  /__sandbox/config`,
					`Settings:     ${JSON.stringify(sandbox.config())}`,
					'',
					'Ctrl+C stops it.',
				].join('\n'),
			);
			const stop = () => {
				sandbox.close().then(() => process.exit(0), () => process.exit(1));
			};
			process.once('SIGINT', stop);
			process.once('SIGTERM', stop);
		},
		(error: unknown) => {
			console.error(`Could not start the sandbox: ${error instanceof Error ? error.message : String(error)}`);
			process.exit(1);
		},
	);
}

main();
