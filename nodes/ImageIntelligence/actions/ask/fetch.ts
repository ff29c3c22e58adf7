import { askJobSchema } from '../../schemas';
import type { AskJob } from '../../schemas';
import type { ImageIntelligenceClient } from '../../transport';

/** GET /ask/{id}; the id is encoded so that "a/b" cannot reach another endpoint. */
export async function fetchAskJob(client: ImageIntelligenceClient, jobId: string, itemIndex: number): Promise<AskJob> {
	return await client.json({ method: 'GET', path: `/ask/${encodeURIComponent(jobId)}`, itemIndex }, askJobSchema);
}
