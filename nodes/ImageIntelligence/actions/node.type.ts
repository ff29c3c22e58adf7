/** Image Intelligence's resources and their operations; the router's table must have an operation for each. */
export type ImageIntelligenceOperations = {
	ask: 'create' | 'get' | 'search' | 'waitForCompletion';
};
