import { reemitOperation } from '../../../shared/reemit';

export const { description, execute, concurrency } = reemitOperation({ provider: 'pique', providerName: 'Pique', jobNoun: 'evaluation' });
