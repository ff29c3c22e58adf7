import type { INode } from 'n8n-workflow';
import type { NodeApiError } from 'n8n-workflow';
import type { z } from 'zod/v4';

import { apiError } from './errors';

/** Names the fields of a provider answer that did not match what the node expects. */
export function describeSchemaIssues(error: z.ZodError, limit = 3): string {
	return error.issues
		.slice(0, limit)
		.map((issue) => {
			const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(the whole answer)';
			return `\`${path}\`: ${issue.message}`;
		})
		.join('; ');
}

export function schemaError(
	node: INode,
	provider: string,
	displayUrl: string,
	error: z.ZodError,
	itemIndex?: number,
): NodeApiError {
	const fields = describeSchemaIssues(error);
	const message = `${provider} returned an answer this node does not understand: ${fields}`;
	return apiError(
		node,
		{ provider, url: displayUrl, issues: fields },
		{
			message,
			description: `The answer from ${displayUrl} is missing a documented field or has one of the wrong type. This is usually a temporary fault at the provider; if it persists, the provider's API may have changed.`,
			itemIndex,
		},
	);
}
