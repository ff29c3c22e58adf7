import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { executeTask, taskDescription } from '../task';

export const description = taskDescription('recommendations', 'generate');

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	return await executeTask(this, 'recommendations', 'generate');
}
