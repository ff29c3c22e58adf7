/** The pack's README, where every node and credential is documented. */
export const README_URL = 'https://github.com/n8n-nodes-visual-ai/n8n-nodes-visual-ai';

/**
 * A README section as a node's `documentationUrl`. n8n opens a node's `documentationUrl` as it is,
 * while it appends its tracking query to a codex `primaryDocumentation` URL by plain concatenation
 * (`…#eyequant?utm_source=…`), which breaks the `#` anchor and lands at the top of the page.
 */
export function docsUrl(anchor: string): string {
	return `${README_URL}#${anchor}`;
}
