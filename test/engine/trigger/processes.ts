import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

const ROOT = path.resolve(__dirname, '../../..');

export interface PollRequest {
	parameters: IDataObject;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	staticData: IDataObject;
	nodeId: string;
	workflowId: string;
}

export interface ProcessPoll {
	/** Undefined when the process was killed (or died) before the poll ended. */
	result?: { emitted: boolean; items: Array<{ json: IDataObject; binary: string[] }>; staticData: IDataObject };
	killed: boolean;
	stderr: string;
}

/**
 * One poll in a fresh process (test/ledger-workers/poll.ts) on this test file's ledger. With
 * `killWhen`, the process is SIGKILLed as soon as the predicate holds once the poll has started.
 */
export async function pollInProcess(request: PollRequest, killWhen?: () => boolean): Promise<ProcessPoll> {
	const dir = mkdtempSync(path.join(tmpdir(), 'trigger-poll-process-'));
	const requestFile = path.join(dir, 'request.json');
	writeFileSync(requestFile, JSON.stringify(request));
	const child = spawn(process.execPath, ['--experimental-strip-types', '--no-warnings', 'test/ledger-workers/poll.ts', requestFile], {
		cwd: ROOT,
		env: { ...process.env, N8N_USER_FOLDER: dir, N8N_LOG_LEVEL: 'warn' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	let killed = false;
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const watcher = killWhen
		? setInterval(() => {
				if (!killed && stdout.includes('POLLING\n') && killWhen()) {
					killed = child.kill('SIGKILL');
				}
			}, 5)
		: undefined;
	const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
	if (watcher) clearInterval(watcher);
	const line = stdout.split('\n').find((entry) => entry.startsWith('RESULT '));
	if (!killed && (code !== 0 || !line)) throw new Error(`the poll process failed (exit ${code}):\n${stderr}\n${stdout}`);
	return { result: line ? JSON.parse(line.slice('RESULT '.length)) : undefined, killed, stderr };
}
