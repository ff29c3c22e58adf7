import { taskOperation } from '../task';

export const { description, execute } = taskOperation('recommendations', 'generate');
