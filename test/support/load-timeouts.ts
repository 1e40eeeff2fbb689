/**
 * Setup file (vitest.config.ts): each test file starts with its timeouts stretched for how busy the machine is now
 * (machine-load.ts), since other work may have started after the run did.
 */
import { vi } from 'vitest';
import { IDLE_TEST_TIMEOUT_MS, scaled } from './machine-load.js';

const timeout = scaled(IDLE_TEST_TIMEOUT_MS);
vi.setConfig({ testTimeout: timeout, hookTimeout: timeout });
