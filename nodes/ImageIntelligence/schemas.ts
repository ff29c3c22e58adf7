import { z } from 'zod/v4';

/*
 * Every Image Intelligence answer the node reads (PROVIDERS.md section 2). Objects are loose so
 * that fields the provider adds later pass through to `raw`; statuses are plain strings so that a
 * new status does not break a workflow.
 */

/** `POST /oauth/token`. Times are UNIX milliseconds. */
export const tokenSchema = z
	.object({
		accessToken: z.string().min(1),
		expiresAt: z.number(),
		issuedAt: z.number().optional(),
		scope: z.string().optional(),
	})
	.loose();

const optionalText = z.string().nullable().optional();

export const imageResultSchema = z
	.object({
		id: z.string().min(1),
		url: optionalText,
		proxyUrl: optionalText,
		customId: optionalText,
		status: z.string().min(1),
	})
	.loose();

/** `jobResults.image`: the image chosen when the answer is yes. */
export const chosenImageSchema = z
	.object({ id: z.string().min(1), url: optionalText, proxyUrl: optionalText, customId: optionalText, status: optionalText })
	.loose();

/** An ask job: `POST /ask`, `GET /ask/{id}`, each entry of `GET /ask`. */
export const askJobSchema = z
	.object({
		id: z.string().min(1),
		createdAt: z.number().optional(),
		status: z.string().min(1),
		customId: optionalText,
		feedId: optionalText,
		webhookUrl: optionalText,
		question: optionalText,
		jobResults: z.object({ image: chosenImageSchema.nullable().optional() }).loose().nullable().optional(),
		imageResults: z.array(imageResultSchema),
	})
	.loose();

export const askJobListSchema = z.array(askJobSchema);

export type TokenAnswer = z.infer<typeof tokenSchema>;
export type AskJob = z.infer<typeof askJobSchema>;
export type ImageResult = z.infer<typeof imageResultSchema>;
