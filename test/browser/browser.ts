/**
 * `npm run test:browser`: the pack as a user meets it in n8n's editor, in Debian's Chromium driven by
 * playwright-core, against the n8n that `npm start` starts. Log in; add each trigger and each node
 * (every operation) from the node panel by searching its name; credential Test right and wrong; run
 * example 1 and open a heat-map in the Binary tab; the AI Agent's tools; the icons; then SIGTERM to
 * `npm start` stops everything it started.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { BrowserContext, Page } from 'playwright-core';

import { SANDBOX_KEYS } from '../../sandbox/server.ts';
import { freePort } from '../../scripts/lib/proc.ts';
import { findRepoRoot } from '../../scripts/lib/repo.ts';
import { DEMO_OWNER } from '../../scripts/lib/rest.ts';
import { CHROMIUM, actionItems, closeNdv, nodeCreatorAddButton, launchEditor, logIn, panelItems, plusBelow, searchNodePanel, visibleErrors } from './editor.ts';
import { npmStart, stopNpmStart } from './npm-start.ts';
import type { NpmStart } from './npm-start.ts';
import { Screenshots } from './steps.ts';
import { iconDistances } from './icons.ts';

const root = findRepoRoot();
const shots = new Screenshots(path.join(root, 'browser-screenshots'));
/** The node panel screenshot the README shows; written when UPDATE_README_SCREENSHOT=1. */
const README_SCREENSHOT = path.join(root, 'docs', 'node-panel-triggers.png');

const ACTION_NODES = ['EyeQuant', 'Image Intelligence', 'Pique', 'Image Forge', 'Archive Outputs'];
/** How many of a node's operations submit jobs and so have "Wait for the Result" (checkWaitModes). */
const WAIT_MODE_OPERATIONS: Record<string, number> = { EyeQuant: 1, 'Image Intelligence': 1, Pique: 2 };
const TRIGGERS = [
	{ provider: 'EyeQuant', credential: 'EyeQuant (sandbox)' },
	{ provider: 'Pique', credential: 'Pique (sandbox)' },
];
const CREDENTIALS = [
	{ name: 'EyeQuant (sandbox)', field: 'apiKey', right: SANDBOX_KEYS.eyeQuant.apiKey, says: /EyeQuant refused this API key/ },
	{ name: 'Pique (sandbox)', field: 'apiKey', right: SANDBOX_KEYS.pique.apiKey, says: /Pique refused this API key/ },
	{ name: 'Image Forge (sandbox)', field: 'apiKey', right: SANDBOX_KEYS.imageForge.apiKey, says: /Image Forge refused this API key/ },
	{ name: 'Image Intelligence (sandbox)', field: 'clientSecret', right: SANDBOX_KEYS.imageIntelligence.clientSecret, says: /Image Intelligence refused/ },
];

let started: NpmStart | undefined;
let ports: number[] = [];
let browser: { context: BrowserContext; page: Page; profile: string } | undefined;
let outputDir = '';

const app = (): { page: Page; editor: string; npm: NpmStart } => {
	if (!browser || !started) throw new Error('npm start or Chromium did not come up');
	return { page: browser.page, editor: started.editorUrl, npm: started };
};

describe('the pack in n8n’s editor (Chromium)', { timeout: 900_000 }, () => {
	before(async () => {
		assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (scripts/ensure-chromium.sh)`);
		outputDir = mkdtempSync(path.join(tmpdir(), 'visual-ai-browser-'));
		const port = await freePort();
		started = await npmStart(root, port, outputDir);
		ports = [port, Number(new URL(started.sandboxUrl).port)];
		browser = await launchEditor();
	});

	after(async () => {
		await browser?.context.close().catch(() => undefined);
		if (browser) rmSync(browser.profile, { recursive: true, force: true });
		if (started && started.npm.exitCode === null) await stopNpmStart(started, ports);
		rmSync(outputDir, { recursive: true, force: true });
		process.stderr.write(`${shots.finish()}\n`);
	});

	test('log in', async () => {
		const { page, editor } = app();
		await shots.step(page, 'log-in', async () => {
			await logIn(page, editor, DEMO_OWNER.email, DEMO_OWNER.password);
			await page.goto(`${editor}/workflow/new`);
			await page.getByTestId('canvas').waitFor();
		});
	});

	for (const { provider, credential } of TRIGGERS) {
		test(`searching "${provider}" lists the ${provider} Trigger with ${provider}'s actions; added, it watches ${provider}`, async () => {
			const { page } = app();
			await shots.step(page, `${provider}-trigger`, async () => {
				await searchNodePanel(page, provider);
				await panelItems(page, provider).first().click();
				const trigger = panelItems(page, `On new ${provider} event`);
				// Once a workflow has a trigger, the panel lists the actions first and folds the triggers.
				await page.waitForTimeout(300);
				if (!(await trigger.isVisible())) await page.getByTestId('node-creator-category-item').filter({ hasText: /^Triggers \(\d+\)/ }).click();
				await trigger.waitFor();
				const actions = page.getByTestId('node-creator-category-item').filter({ hasText: /^Actions \(\d+\)/ });
				assert.equal(await actions.count(), 1, `${provider}: the panel lists the trigger without ${provider}'s actions`);
				if (provider === 'EyeQuant' && process.env.UPDATE_README_SCREENSHOT === '1') {
					if ((await actions.locator('..').getAttribute('data-category-collapsed')) !== 'false') await actions.click();
					await page.waitForTimeout(500);
					const panel = await page.getByTestId('node-creator').boundingBox();
					if (panel) await page.screenshot({ path: README_SCREENSHOT, clip: { ...panel, height: Math.min(panel.height, 760) } });
				}
				await trigger.click();
				const ndv = page.getByTestId('ndv');
				await ndv.waitFor();
				assert.match(await ndv.getByTestId('node-title-container').innerText(), new RegExp(`${provider} Trigger`));
				assert.equal(await ndv.getByTestId('node-credentials-select').locator('input').inputValue(), credential);
				assert.equal(await ndv.getByTestId('parameter-input-provider').count(), 0, 'a trigger per provider has no Provider to pick');
				assert.deepEqual(await visibleErrors(page), []);
				await closeNdv(page);
			});
		});
	}

	for (const name of ACTION_NODES) {
		test(`${name}: found by its name; every operation's panel opens without an error notice`, async () => {
			const { page } = app();
			const actions = await shots.step(page, `${name}-actions`, async () => {
				await searchNodePanel(page, name);
				await panelItems(page, name).first().click();
				// A node with actions lists them; one without (Archive Outputs) offers "Add to workflow".
				const addButton = nodeCreatorAddButton(page);
				await page.getByTestId('ndv').or(page.getByTestId('node-creator-category-item').first()).or(addButton).first().waitFor();
				if (await addButton.isVisible()) await addButton.click();
				if (await page.getByTestId('ndv').waitFor({ timeout: 2_000 }).then(() => true, () => false)) return [name];
				await actionItems(page).first().waitFor();
				const texts = (await actionItems(page).allInnerTexts())
					.map((text) => text.split('\n')[0].trim())
					.filter((text) => text !== '' && !/^On new /.test(text));
				return texts; // the panel stays on the actions: the first one is clicked right there
			});
			assert.ok(actions.length > 0, `${name}: no actions listed`);
			let waitModesChecked = 0;
			for (const [index, action] of actions.entries()) {
				await shots.step(page, `${name}-${index}`, async () => {
					if (!(await page.getByTestId('ndv').isVisible())) {
						const item = actionItems(page, action).first();
						// The panel may still be sliding in: give the action a moment to show before searching anew.
						if (!(await item.waitFor({ timeout: 3_000 }).then(() => true, () => false))) {
							await searchNodePanel(page, name);
							await panelItems(page, name).first().click();
						}
						await item.click();
					}
					const ndv = page.getByTestId('ndv');
					await ndv.waitFor();
					await ndv.getByTestId('node-parameters').waitFor();
					await page.waitForTimeout(400); // options and list searches load
					assert.deepEqual(await visibleErrors(page), [], `${name} → ${action}`);
					if (await checkWaitModes(page, `${name} → ${action}`)) waitModesChecked += 1;
					await closeNdv(page);
				});
			}
			assert.equal(waitModesChecked, WAIT_MODE_OPERATIONS[name] ?? 0, `${name}: operations with Wait for the Result`);
		});
	}

	for (const credential of CREDENTIALS) {
		test(`credential Test: ${credential.name} passes with the sandbox key and fails with a wrong one, saying what to do`, async () => {
			const { page, editor } = app();
			await shots.step(page, `credential-${credential.name}`, async () => {
				await page.goto(`${editor}/home/credentials`);
				await page.getByTestId('resources-list-item').filter({ hasText: credential.name }).first().click();
				const modal = page.getByTestId('editCredential-modal');
				await modal.getByTestId('credentials-config-container-test-success').waitFor();
				const field = modal.getByTestId(`parameter-input-${credential.field}`).locator('input');
				try {
					await field.fill('not-the-right-key-123');
					await modal.getByTestId('credential-save-button').click();
					await modal.getByText('Couldn’t connect with these settings').or(modal.getByText("Couldn't connect with these settings")).first().waitFor();
					await modal.getByText('More details').click();
					await page.getByText(credential.says).first().waitFor();
					assert.equal(await page.getByText('not-the-right-key-123').count(), 0, 'the message repeats the key');
				} finally {
					// The sandbox credential is used by the next steps: put the right key back whatever happened.
					await field.fill(credential.right);
					await modal.getByTestId('credential-save-button').click();
				}
				await modal.getByTestId('credentials-config-container-test-success').waitFor();
				await page.keyboard.press('Escape');
			});
		});
	}

	test('example 1 runs from the editor; its heat-map opens in the Binary tab', async () => {
		const { page, npm } = app();
		const url = [...npm.examples.entries()].find(([name]) => name.startsWith('Visual AI 1'))?.[1];
		assert.ok(url, `npm start listed no example 1: ${[...npm.examples.keys()].join(', ')}`);
		await shots.step(page, 'example-1', async () => {
			await page.goto(url);
			await page.getByTestId('execute-workflow-button').first().click();
			const archive = page.getByTestId('canvas-node').filter({ hasText: 'Archive the maps' });
			await archive.locator('[data-test-id="canvas-node-status-success"]').waitFor({ timeout: 120_000 });
			await archive.dblclick();
			const ndv = page.getByTestId('ndv');
			await ndv.getByTestId('radio-button-binary').click();
			const card = ndv.getByTestId('ndv-binary-data_0').filter({ hasText: 'attentionMap' }).first();
			assert.match(await card.innerText(), /_attentionMap\.png/);
			await card.getByTestId('ndv-view-binary-data').click();
			const image = page.locator('img[src*="binary-data"]').first();
			await image.waitFor();
			await page.waitForFunction('(image) => image.complete && image.naturalWidth > 0', await image.elementHandle());
		});
	});

	test('an AI Agent is offered the action nodes as tools', async () => {
		const { page, editor } = app();
		await shots.step(page, 'ai-agent-tools', async () => {
			await page.goto(`${editor}/workflow/new`);
			await searchNodePanel(page, 'AI Agent');
			await panelItems(page, 'AI Agent').first().click();
			await page.getByTestId('ndv').waitFor().catch(() => undefined);
			if (await page.getByTestId('ndv').isVisible()) await closeNdv(page);
			await plusBelow(page, page.getByTestId('canvas-node').filter({ hasText: 'AI Agent' }).getByText('Tool', { exact: true }));
			for (const name of ACTION_NODES) {
				await page.getByTestId('node-creator-search-bar').fill(name);
				await panelItems(page, `${name} Tool`).first().waitFor();
			}
		});
	});

	test('the five action nodes’ icons look different from each other (rendered, compared pixel by pixel)', async () => {
		const { page } = app();
		const pairs = await iconDistances(page, root);
		for (const { a, b, distance } of pairs) assert.ok(distance > 0.14, `${a} and ${b} look alike at a glance (silhouette difference ${distance.toFixed(3)})`);
	});

	test('SIGTERM to the npm process of `npm start` stops n8n and the sandbox', async () => {
		const { npm } = app();
		const left = await stopNpmStart(npm, ports);
		assert.deepEqual(left, [], `still running after npm got SIGTERM: ${left.join(', ')}`);
	});
});

/**
 * A submitting operation's "Wait for the Result" (when the panel has one): offers No and Poll Until
 * Done (and, for providers that call back, Until … Calls Back); choosing Poll Until Done shows its
 * Poll Interval, which No hides. Whether the panel had the parameter.
 */
async function checkWaitModes(page: Page, where: string): Promise<boolean> {
	const ndv = page.getByTestId('ndv');
	const waitMode = ndv.getByTestId('parameter-input-waitMode');
	if (!(await waitMode.isVisible())) return false;
	assert.equal(await ndv.getByTestId('parameter-input-pollInterval').count(), 0, `${where}: Poll Interval shown while Wait for the Result is No`);
	await waitMode.click();
	const options = page.locator('.el-select-dropdown:visible .option-headline');
	await options.first().waitFor();
	const offered = await options.allInnerTexts();
	assert.deepEqual(offered.slice(0, 2), ['No', 'Poll Until Done'], `${where}: Wait for the Result offers ${offered.join(', ')}`);
	await options.filter({ hasText: 'Poll Until Done' }).click();
	await ndv.getByTestId('parameter-input-pollInterval').waitFor();
	return true;
}
