/**
 * A scripted OpenAI-compatible chat model on loopback, for the AI Agent e2e: n8n's OpenAI Chat
 * Model node (Chat Completions API, base URL pointed here) sends each turn to
 * POST <base>/chat/completions; `script` decides the answer from the request and the turn number.
 * Every request is kept, so the test can check what the model was shown (the tool's result).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
	role: string;
	content?: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: ToolCall[];
	tool_call_id?: string;
	name?: string;
}

export interface ToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

export interface ChatRequest {
	model?: string;
	stream?: boolean;
	messages: ChatMessage[];
	tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
}

/** What the model answers: a text, or tool calls. */
export type ScriptedAnswer = { content: string } | { toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> };

export interface ScriptedModel {
	/** The base URL to put in the OpenAI credential (ends in /v1). */
	baseUrl: string;
	requests: ChatRequest[];
	close(): Promise<void>;
}

/** The text of a message's content, whatever shape the client sent it in. */
export function messageText(message: ChatMessage): string {
	if (typeof message.content === 'string') return message.content;
	if (Array.isArray(message.content)) return message.content.map((part) => part.text ?? '').join('');
	return '';
}

function completion(answer: ScriptedAnswer, turn: number): { message: ChatMessage; finish: string } {
	if ('content' in answer) return { message: { role: 'assistant', content: answer.content }, finish: 'stop' };
	const tool_calls = answer.toolCalls.map((call, index): ToolCall => ({
		id: `call_${turn}_${index}`,
		type: 'function',
		function: { name: call.name, arguments: JSON.stringify(call.arguments) },
	}));
	return { message: { role: 'assistant', content: null, tool_calls }, finish: 'tool_calls' };
}

export async function startScriptedModel(script: (request: ChatRequest, turn: number) => ScriptedAnswer): Promise<ScriptedModel> {
	const requests: ChatRequest[] = [];
	const server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
				response.writeHead(404, { 'content-type': 'application/json' });
				response.end(JSON.stringify({ error: { message: `the scripted model answers only POST …/chat/completions, not ${request.method} ${request.url}` } }));
				return;
			}
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
			requests.push(body);
			const turn = requests.length;
			let answer: ScriptedAnswer;
			try {
				answer = script(body, turn);
			} catch (error) {
				response.writeHead(500, { 'content-type': 'application/json' });
				response.end(JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }));
				return;
			}
			const { message, finish } = completion(answer, turn);
			const base = { id: `chatcmpl-${turn}`, created: Math.floor(Date.now() / 1000), model: body.model ?? 'scripted' };
			if (body.stream) {
				response.writeHead(200, { 'content-type': 'text/event-stream' });
				const delta = message.tool_calls
					? { role: 'assistant', tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }
					: { role: 'assistant', content: message.content };
				response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
				response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`);
				response.end('data: [DONE]\n\n');
				return;
			}
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end(
				JSON.stringify({
					...base,
					object: 'chat.completion',
					choices: [{ index: 0, message, finish_reason: finish }],
					usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
				}),
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}
