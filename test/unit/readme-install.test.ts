/** The README's manual install is the path the e2e tests: the same npm flags (`--omit=peer` above all). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { INSTALL_FLAGS, installCommand } from '../../scripts/lib/install-command';

const README = readFileSync(path.join(__dirname, '../../README.md'), 'utf8').replace(/\n\s+/g, ' ');

describe('README: Install into your n8n', () => {
	it('installs from the registry with exactly the flags the e2e uses', () => {
		expect(README).toContain(`\`${installCommand('n8n-nodes-visual-ai')}\``);
	});

	it('installs a local build with the same flags', () => {
		expect(README).toContain(`\`${installCommand('/path/to/n8n-nodes-visual-ai-0.1.0.tgz')}\``);
	});

	it('documents no npm install of the pack without --omit=peer', () => {
		const installs = README.match(/`npm install [^`]*n8n-nodes-visual-ai[^`]*`/g) ?? [];
		expect(installs.length).toBeGreaterThanOrEqual(2);
		for (const install of installs) for (const flag of INSTALL_FLAGS) expect(install).toContain(flag);
	});
});
