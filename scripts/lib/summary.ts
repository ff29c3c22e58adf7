/** What the demo says about each example after n8n ran it: scores, answers, files and where. */
import path from 'node:path';

import { copyBinaries } from './binaries.ts';
import { nodeItems } from './n8n.ts';
import type { Execution, Item } from './n8n.ts';

export interface SummaryContext {
	execution: Execution;
	userFolder: string;
	/** demo-output/ */
	outputDir: string;
	/** Paths in the summary are shown relative to this (the repository root). */
	root: string;
}

type Summarize = (context: SummaryContext) => string[];

const SUMMARIES: Record<string, Summarize> = {
	vaiExample1EyeQt: summarizeEyeQuant,
	vaiExample3Pique: summarizePique,
	vaiExample4ImgIn: summarizeImageIntelligence,
	vaiExample5Forge: summarizeImageForge,
};

export function summarize(workflowId: string, context: SummaryContext): string[] {
	const summary = SUMMARIES[workflowId];
	if (summary) return summary(context);
	const nodes = Object.keys(context.execution.data.resultData.runData);
	return [`ran ${nodes.length} nodes: ${nodes.join(' → ')}`];
}

function relative(context: SummaryContext, file: string): string {
	return path.relative(context.root, file) || file;
}

function first(items: Item[]): Item | undefined {
	return items[0];
}

function summarizeEyeQuant(context: SummaryContext): string[] {
	const scored = first(nodeItems(context.execution, 'Wait for the scores'));
	const archived = nodeItems(context.execution, 'Archive the maps');
	const dir = path.join(context.outputDir, 'eyequant-maps');
	const files = copyBinaries(context.userFolder, archived, dir, (item) => `${String(item.json.screenshotId)}-`);
	return [
		`analysis ${String(scored?.json.screenshotId)}: ${String(scored?.json.status)}, clarity ${String(scored?.json.clarityScore)}/100, excitingness ${String(scored?.json.excitingnessScore)}/100`,
		`${files.length} maps archived before their links expire (one hour after the analysis), copied to ${relative(context, dir)}/:`,
		...files.map((file) => `  ${path.basename(file)}`),
	];
}

function summarizePique(context: SummaryContext): string[] {
	const uploaded = first(nodeItems(context.execution, 'Upload to the judge'));
	const verdict = first(nodeItems(context.execution, 'Wait for the verdict'));
	const scores = Object.entries(verdict?.json ?? {})
		.filter(([field, value]) => field.endsWith('Score') && field !== 'overallScore' && typeof value === 'number')
		.map(([field, value]) => `${field.replace(/Score$/, '')} ${String(value)}`)
		.join(', ');
	const branch = nodeItems(context.execution, 'Approve')[0] ?? nodeItems(context.execution, 'Send back')[0];
	return [
		`${String(uploaded?.json.fileName)} (${String(uploaded?.json.fileSizeBytes)} bytes) streamed to Pique's upload link; job ${String(uploaded?.json.jobId)}: ${String(verdict?.json.status)}`,
		`overall ${String(verdict?.json.overallScore)} (${scores}) → ${verdict?.json.passed ? 'passed' : 'failed'}`,
		`IF → ${nodeItems(context.execution, 'Approve').length > 0 ? 'Approve' : 'Send back'}: ${String(branch?.json.message)}`,
	];
}

function summarizeImageIntelligence(context: SummaryContext): string[] {
	const answered = first(nodeItems(context.execution, 'Wait for the answer'));
	const branch = nodeItems(context.execution, 'Alert')[0] ?? nodeItems(context.execution, 'All clear')[0];
	return [
		`"${String(answered?.json.question)}" asked about ${String(answered?.json.imageCount)} camera images: ${String(answered?.json.answer).toUpperCase()} — ${String(answered?.json.summary)}`,
		`IF → ${nodeItems(context.execution, 'Alert').length > 0 ? 'Alert' : 'All clear'}: ${String(branch?.json.message)}`,
	];
}

function summarizeImageForge(context: SummaryContext): string[] {
	const results = nodeItems(context.execution, 'Write SEO metadata');
	return [
		`${results.length} images analyzed in one session (results streamed as server-sent events):`,
		...results.map((item) => {
			const tags = Array.isArray(item.json.seoTags) ? (item.json.seoTags as string[]).join(', ') : '';
			return `  ${String(item.json.originalFilename)} → "${String(item.json.title)}" · alt "${String(item.json.alt)}" · ${String(item.json.filename)} · tags ${tags}`;
		}),
	];
}
