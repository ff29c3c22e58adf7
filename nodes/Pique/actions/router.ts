import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as evaluation from './evaluation';
import * as job from './job';
import * as judge from './judge';

type Operation = (this: IExecuteFunctions) => Promise<INodeExecutionData[]>;

const OPERATIONS: Record<string, Record<string, Operation>> = {
	evaluation: {
		upload: evaluation.upload.execute,
		evaluateSocialMedia: evaluation.socialMedia.execute,
		getResult: evaluation.getResult.execute,
		waitForCompletion: evaluation.waitForCompletion.execute,
	},
	judge: { list: judge.list.execute, get: judge.get.execute, create: judge.create.execute },
	job: { track: job.track.execute },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const execute = OPERATIONS[resource]?.[operation];
	if (!execute) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`);
	}
	return [await execute.call(this)];
}
