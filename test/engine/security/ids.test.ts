import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { useSandbox } from '../../helpers/sandbox';
import { runEyeQuant } from '../eyequant/helpers';
import { runForge } from '../image-forge/helpers';
import { runII } from '../image-intelligence/helpers';
import { judge, runPique, useTempLedger } from '../pique/helpers';

const sandbox = useSandbox({ eyeQuantProcessingMs: 10 });
useTempLedger();

beforeEach(() => sandbox.current.clearLog());

/** Runs one item with Continue On Fail and returns its error text; the id comes in through `$json.id`. */
async function refused(
	run: (parameters: INodeParameters, input: INodeExecutionData[]) => Promise<INodeExecutionData[]>,
	parameters: INodeParameters,
	id: unknown,
): Promise<string> {
	const [item] = await run(parameters, [{ json: { id } as INodeExecutionData['json'] }]);
	return String(item.json.error);
}

const eyeQuant = (parameters: INodeParameters, input: INodeExecutionData[]) =>
	runEyeQuant(sandbox.current, parameters, input, { continueOnFail: true });
const pique = (parameters: INodeParameters, input: INodeExecutionData[]) =>
	runPique(sandbox.current, parameters, input, { continueOnFail: true });
const imageIntelligence = (parameters: INodeParameters, input: INodeExecutionData[]) =>
	runII(sandbox.current, parameters, input, { continueOnFail: true });
const forge = (parameters: INodeParameters, input: INodeExecutionData[]) =>
	runForge(parameters, { sandbox: sandbox.current, input, continueOnFail: true });

const FROM_ITEM = '={{ $json.id }}';

describe('ids stay in their path segment: refused on the item before any call', () => {
	it('EyeQuant Summary → Generate with analysis id ".." (which would POST to the create endpoint)', async () => {
		const error = await refused(eyeQuant, { resource: 'summary', operation: 'generate', analysisId: FROM_ITEM }, '..');
		expect(error).toBe('Analysis ID cannot be ".."');
		expect(sandbox.current.requests()).toEqual([]);
	});

	it('EyeQuant: ".", empty, control characters, an object and a list, each named', async () => {
		const get = { resource: 'analysis', operation: 'get', screenshotId: FROM_ITEM };
		expect(await refused(eyeQuant, get, '.')).toBe('Screenshot ID cannot be "."');
		expect(await refused(eyeQuant, get, '  ')).toBe('Screenshot ID is empty');
		expect(await refused(eyeQuant, get, 'abc\r\nX-Injected: 1')).toBe(
			'Screenshot ID contains control characters (line breaks, tabs or similar)',
		);
		expect(await refused(eyeQuant, get, { a: 1 })).toBe('Screenshot ID must be text, but the expression gave an object');
		expect(await refused(eyeQuant, get, ['a', 'b'])).toBe('Screenshot ID must be text, but the expression gave a list');
		const track = { resource: 'job', operation: 'track', screenshotId: FROM_ITEM };
		expect(await refused(eyeQuant, track, '..')).toBe('Screenshot ID cannot be ".."');
		const update = { resource: 'analysis', operation: 'updateMetadata', analysisId: FROM_ITEM };
		expect(await refused(eyeQuant, update, '..')).toBe('Analysis ID cannot be ".."');
		expect(sandbox.current.requests()).toEqual([]);
	});

	it('Pique job and judge ids', async () => {
		expect(await refused(pique, { resource: 'evaluation', operation: 'getResult', jobId: FROM_ITEM }, '..')).toBe('Job ID cannot be ".."');
		expect(await refused(pique, { resource: 'job', operation: 'track', jobId: FROM_ITEM }, { id: 'x' })).toBe(
			'Job ID must be text, but the expression gave an object',
		);
		expect(await refused(pique, { resource: 'judge', operation: 'get', judge: judge(FROM_ITEM) }, '..')).toBe('Judge ID cannot be ".."');
		expect(sandbox.current.requests()).toEqual([]);
	});

	it('Image Intelligence job id', async () => {
		expect(await refused(imageIntelligence, { resource: 'ask', operation: 'get', jobId: FROM_ITEM }, '..')).toBe('Job ID cannot be ".."');
		expect(await refused(imageIntelligence, { resource: 'ask', operation: 'get', jobId: FROM_ITEM }, ['a', 'b'])).toBe(
			'Job ID must be text, but the expression gave a list',
		);
		expect(sandbox.current.requests()).toEqual([]);
	});

	it('Image Forge session ".." (which would POST to …/v1/analyze) and image ids', async () => {
		const single = (sessionId: string, imageId: string): INodeParameters => ({
			resource: 'image',
			operation: 'analyzeSingle',
			sessionId,
			imageId,
			uploadPath: 'uploads/a.png',
			originalFilename: 'a.png',
		});
		expect(await refused(forge, single(FROM_ITEM, 'img_1'), '..')).toBe('Session ID cannot be ".."');
		expect(await refused(forge, single('s_1', FROM_ITEM), { a: 1 })).toBe('Image ID must be text, but the expression gave an object');
		expect(await refused(forge, { ...single(FROM_ITEM, 'img_1'), operation: 'analyze' }, '..')).toBe('Session ID cannot be ".."');
		expect(sandbox.current.requests()).toEqual([]);
	});

	it('the error names the parameter and says nothing was sent', async () => {
		const [item] = await eyeQuant({ resource: 'summary', operation: 'get', analysisId: FROM_ITEM }, [{ json: { id: '..' } }]);
		expect(item.json.errorDescription).toContain('"Analysis ID" (parameter "analysisId")');
		expect(item.json.errorDescription).toContain('Nothing was sent');
	});
});
