import { describePushSuite } from './push.suite';

describePushSuite('postgres');
