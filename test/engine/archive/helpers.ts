import { Logger as BackendLogger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import type { INodeExecutionData, INodeParameters, Logger } from 'n8n-workflow';

import { ArchiveOutputs } from '../../../nodes/ArchiveOutputs/ArchiveOutputs.node';
import { executeContext, runNode } from '../../helpers/engine';
import type { NodeRunOptions } from '../../helpers/engine';

export const archiveOutputs = new ArchiveOutputs();

export type ArchiveExtras = Omit<NodeRunOptions, 'parameters' | 'input'>;

export async function runArchive(
	parameters: INodeParameters,
	input: INodeExecutionData[],
	extras: ArchiveExtras = {},
): Promise<INodeExecutionData[]> {
	const [output] = await runNode(archiveOutputs, { parameters, input, ...extras });
	return output;
}

/** Runs the node in a real ExecuteContext and also returns the execution hints it left. */
export async function runArchiveWithHints(
	parameters: INodeParameters,
	input: INodeExecutionData[],
): Promise<{ output: INodeExecutionData[]; hints: Array<{ message: string; type?: string }>; logs: string[] }> {
	const context = await executeContext(archiveOutputs, { parameters, input });
	// n8n's logger is one shared instance that the context memoizes on first use: give this
	// context a recording wrapper before anything reads it.
	const logs: string[] = [];
	const shared = Container.get(BackendLogger);
	const logger: Logger = {
		error: (message, meta) => shared.error(message, meta),
		warn: (message, meta) => shared.warn(message, meta),
		debug: (message, meta) => shared.debug(message, meta),
		info: (message, meta) => {
			logs.push(message);
			shared.info(message, meta);
		},
	};
	Object.defineProperty(context, 'logger', { value: logger });
	const [output] = await archiveOutputs.execute.call(context);
	return { output, hints: context.hints, logs };
}
