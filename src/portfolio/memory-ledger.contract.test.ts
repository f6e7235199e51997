import { ledgerContract } from '../../tests/contracts/ledger-contract.js';
import { MemoryLedger } from './memory-ledger.js';

// Nothing in memory survives close: the contract's reopen cases do not apply (it registers them only for durable adapters).
ledgerContract('MemoryLedger', () => ({ ledger: new MemoryLedger(), cleanup: () => undefined }));
