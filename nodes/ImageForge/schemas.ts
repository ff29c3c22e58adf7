import { z } from 'zod/v4';

/** The SEO metadata Image Forge writes for one image. */
export const metadataSchema = z.looseObject({
	title: z.string(),
	alt: z.string(),
	caption: z.string(),
	description: z.string(),
	filename: z.string(),
	seoTags: z.array(z.string()),
});
export type Metadata = z.infer<typeof metadataSchema>;

export const imageRecordSchema = z.looseObject({
	id: z.string().min(1),
	originalFilename: z.string(),
	size: z.number(),
	width: z.number(),
	height: z.number(),
	uploadPath: z.string().min(1),
});
export type ImageRecord = z.infer<typeof imageRecordSchema>;

export const uploadResponseSchema = z.looseObject({
	sessionId: z.string().min(1),
	images: z.array(imageRecordSchema),
});

/**
 * PROVIDERS.md only says "JSON with the image's metadata": accept `{ imageId?, metadata }` and the
 * bare metadata object (read as if it were wrapped, so a bad field is still named).
 */
export const analyzeSingleResponseSchema = z.preprocess(
	(value) => (value && typeof value === 'object' && !Array.isArray(value) && !('metadata' in value) ? { metadata: value } : value),
	z.looseObject({ imageId: z.string().optional(), metadata: metadataSchema }),
);

export const balanceSchema = z.looseObject({
	balance: z.number(),
	planName: z.string(),
	userId: z.string(),
});

export const creditCheckSchema = z.looseObject({
	sufficient: z.boolean(),
	balance: z.number(),
	cost: z.number(),
	remaining: z.number().optional(),
});

// Stream events. Progress is only logged, so it is read leniently.
export const progressEventSchema = z.looseObject({
	imageId: z.string().optional(),
	status: z.string().optional(),
	step: z.string().optional(),
	current: z.number().optional(),
	total: z.number().optional(),
});

export const analyzeResultEventSchema = z.looseObject({
	imageId: z.string().min(1),
	metadata: metadataSchema,
});

export const errorEventSchema = z.looseObject({
	imageId: z.string().optional(),
	error: z.string(),
});

export const variantSchema = z.looseObject({
	name: z.string(),
	path: z.string(),
	size: z.number(),
	width: z.number(),
	height: z.number(),
});
export type Variant = z.infer<typeof variantSchema>;

export const exportResultSchema = z.looseObject({
	imageId: z.string().min(1),
	variants: z.array(variantSchema),
	filename: z.string().optional(),
	originalFilename: z.string().optional(),
});

export const completeEventSchema = z.looseObject({
	status: z.string().optional(),
	processed: z.number().optional(),
	failed: z.number().optional(),
	total: z.number().optional(),
	/** Export and Sample: one entry per exported image (checked one by one, so one bad entry spoils only its image). */
	results: z.array(z.unknown()).optional(),
});
