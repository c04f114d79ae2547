import { describePushSuite } from './push.suite';

describePushSuite('nats');
