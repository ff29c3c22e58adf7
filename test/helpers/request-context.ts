import type { INode, Logger } from 'n8n-workflow';

import type { RequestContext } from '../../nodes/shared/http/client';

export interface RecordingContext extends RequestContext {
	logs: string[];
}

/** The minimal context the HTTP client needs, recording every log line so tests can read them. */
export function recordingContext(signal?: AbortSignal): RecordingContext {
	const logs: string[] = [];
	const record = (message: string) => logs.push(message);
	const logger: Logger = { error: record, warn: record, info: record, debug: record };
	const node: INode = {
		id: 'client-test',
		name: 'Client Test',
		type: 'test.client',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	return { logs, logger, getNode: () => node, getExecutionCancelSignal: () => signal };
}
