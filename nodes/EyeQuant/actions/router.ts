import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as analysis from './analysis';
import * as job from './job';
import * as recommendations from './recommendations';
import * as summary from './summary';

type Operation = (this: IExecuteFunctions) => Promise<INodeExecutionData[]>;

const OPERATIONS: Record<string, Record<string, Operation>> = {
	analysis: {
		create: analysis.create.execute,
		get: analysis.get.execute,
		waitForCompletion: analysis.waitForCompletion.execute,
		updateMetadata: analysis.updateMetadata.execute,
	},
	summary: { generate: summary.generate.execute, get: summary.get.execute },
	recommendations: { generate: recommendations.generate.execute, get: recommendations.get.execute },
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
