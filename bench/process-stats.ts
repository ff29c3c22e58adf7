/**
 * Preloaded into every `n8n execute` of bench/n8n-archive.ts (`NODE_OPTIONS=--import …`): when the
 * process exits it prints one line on stderr, `VAI_PROCESS_STATS {"cpuMs":…,"majorGcs":…,"majorGcMs":…}`,
 * with the CPU time of the whole process (every thread, user + system) and V8's full mark-compact
 * collections. Only observes; changes nothing in n8n.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';

const stats = { majorGcs: 0, majorGcMs: 0 };
new PerformanceObserver((list) => {
	for (const entry of list.getEntries()) {
		if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
			stats.majorGcs++;
			stats.majorGcMs += entry.duration;
		}
	}
}).observe({ entryTypes: ['gc'] });

process.on('exit', () => {
	const { user, system } = process.cpuUsage();
	process.stderr.write(`\nVAI_PROCESS_STATS ${JSON.stringify({ cpuMs: (user + system) / 1000, ...stats })}\n`);
});
