import { z } from 'zod/v4';

/*
 * Every EyeQuant answer the node reads (PROVIDERS.md section 1). Objects are loose: fields the
 * provider adds later pass through to `raw`. Statuses are plain strings so that a new status
 * does not break a workflow; the node treats anything it does not know as "still running".
 */

const url = z.string().min(1);
const score = z.number().nullable().optional();

export const attentionOutputsSchema = z
	.object({ attentionMap: url.optional(), perceptionMap: url.optional(), hotspotsMap: url.optional() })
	.loose();

export const scoredOutputsSchema = z.object({ score, map: url.optional() }).loose();

export const analysisOutputsSchema = z
	.object({
		attention: attentionOutputsSchema.optional(),
		clarity: scoredOutputsSchema.optional(),
		excitingness: scoredOutputsSchema.optional(),
		input: z.object({ image: url.optional() }).loose().optional(),
	})
	.loose();

export const analysisErrorSchema = z.union([
	z.object({ code: z.string().optional(), message: z.string().optional() }).loose(),
	z.string(),
]);

/** `GET /analyses/{screenshotId}`. */
export const analysisSchema = z
	.object({
		id: z.string().min(1),
		_internal_exposed_id: z.string().optional(),
		status: z.string().min(1),
		outputs: analysisOutputsSchema.nullable().optional(),
		error: analysisErrorSchema.nullable().optional(),
	})
	.loose();

/** `POST /analyses`. */
export const createAnalysisSchema = z.object({ id: z.string().min(1) }).loose();

/** `PUT /update-meta/screenshot/{analysisId}`: the answer is not documented, so anything (or nothing) is accepted. */
export const updateMetadataSchema = z
	.object({ success: z.boolean().optional(), msg: z.string().optional(), data: z.record(z.string(), z.unknown()).optional() })
	.loose()
	.optional();

/** `POST /analyses/summary|recommendations/{analysisId}`. */
export const taskStartSchema = z
	.object({ success: z.boolean().optional(), status: z.string().optional(), msg: z.string().optional() })
	.loose();

/** `GET /analyses/summary|recommendations/{analysisId}`. */
export const taskResultSchema = z
	.object({ status: z.string().min(1), data: z.string().optional(), msg: z.string().optional() })
	.loose();

export type EyeQuantAnalysis = z.infer<typeof analysisSchema>;
export type AnalysisOutputs = z.infer<typeof analysisOutputsSchema>;
export type TaskStart = z.infer<typeof taskStartSchema>;
export type TaskResult = z.infer<typeof taskResultSchema>;
