/** Finding what n8n said about this pack in its output: load failures, warnings, errors. */

// n8n itself does not use node:sqlite: a warning about it comes from this pack's job ledger.
const OURS = /n8n-nodes-visual-ai|visualAiTrigger|archiveOutputs|eyeQuant|imageIntelligence|imageForge|piqueApi|\bpique\b|sqlite is an experimental/i;
const BAD = /warn|error|fail|deprecat|unrecognized|could not|cannot/i;

/** Lines of n8n output that mention this pack together with a warning or an error. */
export function packProblems(output: string): string[] {
	return output
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => OURS.test(line) && BAD.test(line))
		.filter((line) => !line.startsWith('at '));
}
