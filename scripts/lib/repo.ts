import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { PACKAGE_NAME } from './pack.ts';

/** The repository root: the nearest folder upwards from `start` whose package.json is this pack's. */
export function findRepoRoot(start = process.cwd()): string {
	let dir = path.resolve(start);
	for (;;) {
		const manifest = path.join(dir, 'package.json');
		if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
			return dir;
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`run this from inside the ${PACKAGE_NAME} repository`);
		dir = parent;
	}
}
