import { reemitOperation } from '../../../shared/reemit';

export const { description, execute, concurrency } = reemitOperation({ provider: 'eyeQuant', providerName: 'EyeQuant', jobNoun: 'screenshot' });
