/** EyeQuant's resources and their operations; the router's table must have an operation for each. */
export type EyeQuantOperations = {
	analysis: 'create' | 'get' | 'waitForCompletion' | 'updateMetadata';
	summary: 'generate' | 'get';
	recommendations: 'generate' | 'get';
	job: 'track' | 'reemit';
};
