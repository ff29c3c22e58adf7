/**
 * n8n's editor in Debian's Chromium, driven by playwright-core: the few things the browser test
 * does in it, with the editor's own test ids (n8n marks its elements with `data-test-id`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium, selectors } from 'playwright-core';
import type { BrowserContext, Locator, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** A Chromium with a fresh profile (its own --user-data-dir) and one page. */
export async function launchEditor(): Promise<{ context: BrowserContext; page: Page; profile: string }> {
	selectors.setTestIdAttribute('data-test-id');
	const profile = mkdtempSync(path.join(tmpdir(), 'visual-ai-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
		viewport: { width: 1400, height: 900 },
	});
	const page = context.pages()[0] ?? (await context.newPage());
	page.setDefaultTimeout(20_000);
	// Leaving a workflow with unsaved changes asks "leave the page?"; the test always leaves.
	page.on('dialog', (dialog) => void dialog.accept());
	return { context, page, profile };
}

export async function logIn(page: Page, editorUrl: string, email: string, password: string): Promise<void> {
	await page.goto(`${editorUrl}/signin`);
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(email);
	await page.getByTestId('password').locator('input').fill(password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => !url.pathname.includes('signin'));
}

export function nodeCreator(page: Page): Locator {
	return page.getByTestId('node-creator');
}

/** Opens the node panel (the canvas's "+"), searches `text`; returns the panel. */
export async function searchNodePanel(page: Page, text: string): Promise<Locator> {
	if (await page.getByTestId('ndv').isVisible()) await closeNdv(page);
	const searchBar = page.getByTestId('node-creator-search-bar');
	if (!(await searchBar.isVisible())) {
		// A panel left open on a node's actions has no search bar: close it first.
		if (await nodeCreator(page).isVisible()) {
			await page.keyboard.press('Escape');
			await nodeCreator(page).waitFor({ state: 'hidden' });
		}
		const plus = page.getByTestId('canvas-plus-button').or(page.getByTestId('node-creator-plus-button')).first();
		await plus.click();
		// A click while the panel was still sliding shut can be swallowed: once more.
		await searchBar.waitFor({ timeout: 5_000 }).catch(async () => {
			await plus.click();
			await searchBar.waitFor();
		});
	}
	await searchBar.fill(text);
	return nodeCreator(page);
}

/** The node panel's entries (nodes, or a node's actions and triggers) whose text contains `text`. */
export function panelItems(page: Page, text?: string): Locator {
	const items = nodeCreator(page).getByTestId('item-iterator-item');
	return text === undefined ? items : items.filter({ hasText: text });
}

/** The "Add to workflow" button the panel shows for a community node without actions. */
export function nodeCreatorAddButton(page: Page): Locator {
	return nodeCreator(page).getByRole('button', { name: 'Add to workflow' });
}

/** A node's actions (and triggers) as its panel lists them, without the search results still sliding out. */
export function actionItems(page: Page, text?: string): Locator {
	const items = nodeCreator(page).locator('[data-test-id="item-iterator-item"][data-keyboard-nav-type="action"]');
	return text === undefined ? items : items.filter({ hasText: text });
}

/** Closes the node details view. */
export async function closeNdv(page: Page): Promise<void> {
	await page.getByTestId('ndv-close-button').click();
	await page.getByTestId('ndv').waitFor({ state: 'hidden' });
}

/** Texts of the error toasts and error notices on screen (n8n shows failures there), ignoring those the test saw before. */
export async function visibleErrors(page: Page): Promise<string[]> {
	const found: string[] = [];
	for (const toast of await page.locator('.el-notification').all()) {
		if (!(await toast.isVisible())) continue;
		const text = (await toast.innerText()).trim();
		const classes = (await toast.getAttribute('class')) ?? '';
		if (/error|warning/.test(classes) || /error|problem|could not|failed/i.test(text)) found.push(text);
	}
	const ndv = page.getByTestId('ndv');
	if (await ndv.isVisible()) {
		const text = await ndv.innerText();
		for (const pattern of [/Could not load[^\n]*/i, /Error fetching[^\n]*/i, /Node does not have any credentials[^\n]*/i, /Issues?:[^\n]*/]) {
			const match = pattern.exec(text);
			if (match) found.push(match[0]);
		}
	}
	return found;
}

/** Dismisses the toasts on screen, so the next step sees only its own. */
export async function dismissToasts(page: Page): Promise<void> {
	for (const close of await page.locator('.el-notification .el-notification__closeBtn').all()) {
		if (await close.isVisible()) await close.click().catch(() => undefined);
	}
}

/** Clicks the canvas "+" handle nearest below `label` (e.g. an AI Agent's "Tool" connection). */
export async function plusBelow(page: Page, label: Locator): Promise<void> {
	const anchor = await label.boundingBox();
	if (!anchor) throw new Error('the label is not on screen');
	let best: { handle: Locator; distance: number } | undefined;
	for (const handle of await page.getByTestId('canvas-handle-plus').all()) {
		const box = await handle.boundingBox();
		if (!box || box.y < anchor.y) continue;
		const distance = Math.abs(box.x + box.width / 2 - (anchor.x + anchor.width / 2)) + (box.y - anchor.y);
		if (!best || distance < best.distance) best = { handle, distance };
	}
	if (!best) throw new Error('no "+" handle below the label');
	await best.handle.click();
}
