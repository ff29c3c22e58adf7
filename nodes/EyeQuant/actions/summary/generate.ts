import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeTask, taskDescription } from '../task';

export const description = taskDescription('summary', 'generate');

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await executeTask(this, 'summary', 'generate');
}
