/** Image Forge's resources and their operations; the router's table must have an operation for each. */
export type ImageForgeOperations = {
	session: 'upload';
	image: 'analyze' | 'analyzeSingle' | 'export' | 'sample';
	credits: 'balance' | 'check';
};
