/** Jest setup file of the `postgres` project: this run's ledger tests use PostgreSQL (test/helpers/ledger-backend.ts). */
process.env.VISUAL_AI_TEST_LEDGER = 'postgres';
