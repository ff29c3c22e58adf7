import { createHmac } from 'node:crypto';

import { isValidHmacSignature } from '../../nodes/shared/webhooks/signature';

const secret = 'whsec_unit';
const body = Buffer.from('{"job_id":"j-1","status":"completed"}');
const mac = () => createHmac('sha256', secret).update(body);

describe('isValidHmacSignature (Pique X-Webhook-Signature)', () => {
	it('accepts the HMAC-SHA256 of the raw body as hex or base64, with or without sha256=', () => {
		const hex = mac().digest('hex');
		const base64 = mac().digest('base64');
		const urlSafe = mac().digest('base64url');
		for (const header of [hex, hex.toUpperCase(), `sha256=${hex}`, `SHA256=${hex}`, base64, `sha256=${base64}`, urlSafe, ` ${hex} `, [hex]]) {
			expect(isValidHmacSignature(body, header, secret)).toBe(true);
		}
	});

	it('refuses a missing header or secret, another secret, another body, a cut or padded signature', () => {
		const hex = mac().digest('hex');
		expect(isValidHmacSignature(body, undefined, secret)).toBe(false);
		expect(isValidHmacSignature(body, '', secret)).toBe(false);
		expect(isValidHmacSignature(body, hex, '')).toBe(false);
		expect(isValidHmacSignature(body, createHmac('sha256', 'other').update(body).digest('hex'), secret)).toBe(false);
		expect(isValidHmacSignature(Buffer.from(`${body.toString()} `), hex, secret)).toBe(false);
		expect(isValidHmacSignature(body, hex.slice(0, 63), secret)).toBe(false);
		expect(isValidHmacSignature(body, `${hex}00`, secret)).toBe(false);
		expect(isValidHmacSignature(body, `sha1=${hex}`, secret)).toBe(false);
	});
});
