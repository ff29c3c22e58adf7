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
import { CHROMIUM, closeNdv, launchEditor, logIn, panelItems, searchNodePanel, visibleErrors } from './editor.ts';
import { npmStart, stopNpmStart } from './npm-start.ts';
import type { NpmStart } from './npm-start.ts';
import { Screenshots } from './steps.ts';
import { iconDistances } from './icons.ts';

const root = findRepoRoot();
const shots = new Screenshots(path.join(root, 'browser-screenshots'));
/** The node panel screenshot the README shows; written when UPDATE_README_SCREENSHOT=1. */
const README_SCREENSHOT = path.join(root, 'docs', 'node-panel-triggers.png');

const ACTION_NODES = ['EyeQuant', 'Image Intelligence', 'Pique', 'Image Forge', 'Archive Outputs'];
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
				await trigger.waitFor();
				assert.ok((await panelItems(page).count()) > 1, `${provider}: the panel lists only the trigger, not ${provider}'s actions`);
				if (provider === 'EyeQuant' && process.env.UPDATE_README_SCREENSHOT === '1') {
					await page.getByTestId('node-creator').screenshot({ path: README_SCREENSHOT, scale: 'css' });
				}
				await trigger.click();
				const ndv = page.getByTestId('ndv');
				await ndv.waitFor();
				assert.match(await ndv.getByTestId('node-title-container').innerText(), new RegExp(`${provider} Trigger`));
				assert.match(await ndv.getByTestId('node-credentials-select').innerText().catch(async () => await ndv.getByTestId('node-credentials-select').locator('input').inputValue()), new RegExp(credential.replace(/[()]/g, '\\$&')));
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
				await page.waitForTimeout(300);
				if (await page.getByTestId('ndv').isVisible()) return [name]; // a node with one action is added at once
				const texts = (await panelItems(page).allInnerTexts()).map((text) => text.split('\n')[0].trim()).filter((text) => !/^On new /.test(text));
				await page.keyboard.press('Escape');
				return texts;
			});
			assert.ok(actions.length > 0, `${name}: no actions listed`);
			for (const [index, action] of actions.entries()) {
				await shots.step(page, `${name}-${index}`, async () => {
					if (!(await page.getByTestId('ndv').isVisible())) {
						await searchNodePanel(page, name);
						await panelItems(page, name).first().click();
						await panelItems(page, action).first().click();
					}
					const ndv = page.getByTestId('ndv');
					await ndv.waitFor();
					await ndv.getByTestId('node-parameters').waitFor();
					await page.waitForTimeout(400); // options and list searches load
					assert.deepEqual(await visibleErrors(page), [], `${name} → ${action}`);
					await closeNdv(page);
				});
			}
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
				await field.fill('not-the-right-key-123');
				await modal.getByTestId('credential-save-button').click();
				await modal.getByText(credential.says).waitFor();
				await field.fill(credential.right);
				await modal.getByTestId('credential-save-button').click();
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
			const card = ndv.getByTestId('ndv-binary-data_0');
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
			await page.locator('[data-test-id="canvas-handle-plus-wrapper"][data-handle-type="ai_tool"], [data-handle-type="ai_tool"] [data-test-id="canvas-handle-plus"]').first().click();
			for (const name of ACTION_NODES) {
				await page.getByTestId('node-creator-search-bar').fill(name);
				await panelItems(page, `${name} Tool`).first().waitFor();
			}
		});
	});

	test('the five action nodes’ icons look different from each other (rendered, compared pixel by pixel)', async () => {
		const { page } = app();
		const pairs = await iconDistances(page, root);
		for (const { a, b, distance } of pairs) assert.ok(distance > 0.08, `${a} and ${b} look alike (mean difference ${distance.toFixed(3)})`);
	});

	test('SIGTERM to the npm process of `npm start` stops n8n and the sandbox', async () => {
		const { npm } = app();
		const left = await stopNpmStart(npm, ports);
		assert.deepEqual(left, [], `still running after npm got SIGTERM: ${left.join(', ')}`);
	});
});
