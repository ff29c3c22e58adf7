/** Pique's resources and their operations; the router's table must have an operation for each. */
export type PiqueOperations = {
	evaluation: 'upload' | 'evaluateSocialMedia' | 'getResult' | 'waitForCompletion';
	judge: 'list' | 'get' | 'create';
	job: 'track' | 'reemit';
};
