import { z } from 'zod/v4';

/*
 * Every Pique answer the node reads (PROVIDERS.md section 3). Objects are loose: fields Pique adds
 * later pass through to `raw`. Statuses are plain strings so that a new status does not break a
 * workflow; anything the node does not know counts as "still running".
 */

const text = z.string().nullable().optional();
const score = z.number().nullable().optional();

export const detectorResultSchema = z
	.object({
		detector_name: z.string(),
		detector_config_id: text,
		pass_check: z.boolean().nullable().optional(),
		score,
		rationale: text,
		metrics: z.record(z.string(), z.unknown()).nullable().optional(),
		timestamps: z.array(z.unknown()).nullable().optional(),
		flagged_frames: z.array(z.unknown()).nullable().optional(),
	})
	.loose();

/** `GET /v1/evaluations/results/{job_id}`, and the webhook payload. */
export const resultSchema = z
	.object({
		event: text,
		job_id: z.string().min(1),
		content_id: text,
		judge_id: text,
		status: z.string().min(1),
		overall_score: score,
		detector_results: z.array(detectorResultSchema).nullable().optional(),
		error: z.union([z.string(), z.record(z.string(), z.unknown())]).nullable().optional(),
		timestamp: text,
	})
	.loose();

export const detectorConfigSchema = z
	.object({
		id: text,
		detector_name: z.string(),
		config: z.record(z.string(), z.unknown()).nullable().optional(),
		weight: z.number().nullable().optional(),
	})
	.loose();

/** `GET /v1/judges/{judge_id}`, and each entry of the judge list. */
export const judgeSchema = z
	.object({
		id: z.string().min(1),
		name: z.string(),
		description: text,
		content_type: z.string(),
		status: text,
		detector_configs: z.array(detectorConfigSchema).nullable().optional(),
		is_active: z.boolean().nullable().optional(),
		created_at: text,
		updated_at: text,
	})
	.loose();

/** `GET /v1/judges`. */
export const judgeListSchema = z
	.object({ judges: z.array(judgeSchema), total: z.number().int().nonnegative(), has_more: z.boolean() })
	.loose();

/** `POST /v1/judges`. */
export const createdJudgeSchema = z.object({ id: z.string().min(1), status: text }).loose();

/** `POST /v1/evaluations/presigned-upload`. */
export const presignedUploadSchema = z
	.object({
		job_id: z.string().min(1),
		upload_url: z.string().regex(/^https?:\/\//i, 'must be an http(s) URL'),
		upload_headers: z.record(z.string(), z.string()),
		expires_at: text,
	})
	.loose();

/** `POST /v1/evaluations/social-media`. */
export const socialMediaBatchSchema = z
	.object({
		batch_id: text,
		jobs: z.array(
			z.object({ job_id: z.string().min(1), url: text, status: z.string().min(1), error_message: text }).loose(),
		),
		total_videos: z.number().nullable().optional(),
		webhook_id: text,
	})
	.loose();

export type PiqueResult = z.infer<typeof resultSchema>;
export type DetectorResult = z.infer<typeof detectorResultSchema>;
export type PiqueJudge = z.infer<typeof judgeSchema>;
export type PresignedUpload = z.infer<typeof presignedUploadSchema>;
export type SocialMediaBatch = z.infer<typeof socialMediaBatchSchema>;
