import { startUpstashServer } from '../../../local/upstash/upstash-server';
import { TEST_TOKEN, defineUpstashSuite } from './upstash-suite';

defineUpstashSuite('embedded engine', () => startUpstashServer({ port: 0, token: TEST_TOKEN }));
