import { refundLogInMemory } from '../../src/audit/refundLogInMemory.js';
import { refundLogByOrderContract } from '../application/ports/refundLogByOrderContract.js';

refundLogByOrderContract('in memory', (events, _dir, head, options) =>
  refundLogInMemory(events, head, options),
);
