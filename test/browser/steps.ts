/**
 * Steps of the browser test, each with a screenshot: kept in a folder when any step fails (its path
 * is printed), removed when all passed.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import type { Page } from 'playwright-core';

export class Screenshots {
	readonly dir: string;
	private count = 0;
	failed = false;

	constructor(dir: string) {
		this.dir = dir;
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
	}

	/** Runs `work`, then screenshots the page; on failure screenshots it as FAILED and rethrows. */
	async step<T>(page: Page, name: string, work: () => Promise<T>): Promise<T> {
		const file = (suffix: string) => path.join(this.dir, `${String(++this.count).padStart(2, '0')}-${name.replace(/[^A-Za-z0-9]+/g, '-')}${suffix}.png`);
		try {
			const result = await work();
			await page.screenshot({ path: file('') }).catch(() => undefined);
			return result;
		} catch (error) {
			this.failed = true;
			await page.screenshot({ path: file('-FAILED') }).catch(() => undefined);
			throw error;
		}
	}

	/** Removes the folder when every step passed; otherwise says where it is. */
	finish(): string {
		if (this.failed) return `screenshots of the failed run: ${this.dir}`;
		rmSync(this.dir, { recursive: true, force: true });
		return 'every step passed; screenshots removed';
	}
}
