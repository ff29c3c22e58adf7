/** @type {import('jest').Config} */
const common = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
	},
};

module.exports = {
	testTimeout: 60_000,
	// The engine tests share one sandbox port range and n8n's binary-data service per worker.
	maxWorkers: 2,
	// One throw-away PostgreSQL cluster for the run: the ledger and trigger tests run on both backends.
	globalSetup: '<rootDir>/test/helpers/postgres-global-setup.ts',
	globalTeardown: '<rootDir>/test/helpers/postgres-global-teardown.ts',
	projects: [
		{ ...common, displayName: 'sqlite', testMatch: ['**/*.test.ts'] },
		{
			...common,
			displayName: 'postgres',
			testMatch: [
				'**/test/unit/ledger.test.ts',
				'**/test/unit/ledger-processes.test.ts',
				'**/test/engine/trigger/{eyequant,pique,durability}.test.ts',
				'**/test/engine/webhook/{pique,image-intelligence,wait,wait-limit,wait-limit-sweeper}.test.ts',
			],
			setupFiles: ['<rootDir>/test/helpers/ledger-backend-postgres.ts'],
		},
	],
};
