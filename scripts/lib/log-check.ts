/** Finding what n8n said about this pack in its output: load failures, warnings, errors. */

const OURS = /n8n-nodes-visual-ai|visualAiTrigger|archiveOutputs|eyeQuant|imageIntelligence|imageForge|piqueApi|\bpique\b/i;
const BAD = /\bwarn|\berror|fail|deprecat|unrecognized|could not|cannot/i;

/** Lines of n8n output that mention this pack together with a warning or an error. */
export function packProblems(output: string): string[] {
	return output
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => OURS.test(line) && BAD.test(line))
		.filter((line) => !line.startsWith('at '));
}
